package dev.switchboard.conformance.fakes.github;

import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds GitHub webhook deliveries as GitHub sends them: the JSON body, {@code X-GitHub-Event},
 * {@code X-GitHub-Delivery} (a GUID kept on redelivery), {@code X-Hub-Signature-256} ({@code sha256=} and the hex
 * HMAC-SHA256 of the raw body), the legacy SHA-1 {@code X-Hub-Signature}, the hook headers and the
 * {@code GitHub-Hookshot} user agent.
 */
public final class GitHubWebhookSender {

    private final String secret;

    public GitHubWebhookSender(String secret) {
        this.secret = secret;
    }

    /** One delivery: what GitHub POSTs to the webhook URL. */
    public record Delivery(String event, String deliveryId, byte[] body, Map<String, String> headers) {

        public WebhookRequest toRequest(String connection, Instant receivedAt) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            this.headers.forEach((name, value) -> headers.put(name, List.of(value)));
            return new WebhookRequest(connection, headers, body, receivedAt);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public Delivery delivery(String event, String json) {
        return sign(event, UUID.randomUUID().toString(), json.getBytes(StandardCharsets.UTF_8), secret);
    }

    /** The same delivery (same id and body) signed with another secret. */
    public static Delivery resignedWith(Delivery delivery, String secret) {
        return sign(delivery.event(), delivery.deliveryId(), delivery.body(), secret);
    }

    private static Delivery sign(String event, String id, byte[] body, String secret) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "GitHub-Hookshot/8a2e4f1");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", id);
        headers.put("X-GitHub-Hook-ID", "470123456");
        headers.put("X-GitHub-Hook-Installation-Target-Type", "repository");
        if (secret != null) {
            headers.put("X-Hub-Signature", "sha1=" + hex("HmacSHA1", secret, body));
            headers.put("X-Hub-Signature-256", "sha256=" + hex("HmacSHA256", secret, body));
        }
        return new Delivery(event, id, body, headers);
    }

    private static String hex(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is in every JDK", e);
        }
    }

    /** POSTs a delivery to {@code url}, fire-and-forget as GitHub does (no automatic redelivery). */
    static void post(URI url, Delivery delivery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
        delivery.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("User-Agent")) {
                request.header(name, value);
            }
        });
        try {
            HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // GitHub records a failed delivery and does not retry it by itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
