package dev.switchboard.connector.example;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The example tool's webhooks: a form-encoded body {@code model=churn&version=3&alias=champion} announcing that an
 * alias now points at a version, signed with HMAC-SHA256 of the raw body in {@code X-Example-Signature:
 * sha256=<hex>}, with the delivery's id in {@code X-Example-Delivery}. Form encoding keeps the example free of a JSON
 * library; a real connector parses what its tool sends, with whatever library it ships in its plugin.
 */
final class ExampleWebhooks implements EventSource {

    static final String SIGNATURE = "X-Example-Signature";
    static final String DELIVERY = "X-Example-Delivery";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String connection;
    private final Optional<String> secret;

    ExampleWebhooks(String connection, Optional<String> secret) {
        this.connection = connection;
        this.secret = secret;
    }

    /** The signature header's value for {@code body}, as the tool computes it (tests and senders use it too). */
    static String sign(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(secret, body));
    }

    @Override
    public boolean acceptsMediaType(String mediaType) {
        return "application/x-www-form-urlencoded".equals(mediaType);
    }

    @Override
    public List<CanonicalEvent> receive(WebhookRequest request) {
        // No secret configured means no way to tell the tool from anyone else: refuse, never accept unsigned.
        String key = secret.orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE,
                "connection " + connection + " has no " + ExampleConnector.WEBHOOK_SECRET + "; set it to accept webhooks"));
        String received = request.header(SIGNATURE).orElseThrow(() -> new WebhookRejectedException(
                Reason.BAD_SIGNATURE, "missing " + SIGNATURE + " header"));
        // Whole-value, constant-time comparison: a prefix of the right signature is as wrong as any other value.
        if (!MessageDigest.isEqual(sign(key, request.body()).getBytes(StandardCharsets.US_ASCII),
                received.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, SIGNATURE
                    + " does not match the body: wrong secret, or the body was changed on the way");
        }
        String delivery = request.header(DELIVERY).filter(id -> NAME.matcher(id).matches())
                .orElseThrow(() -> new WebhookRejectedException(Reason.MALFORMED,
                        DELIVERY + " header must be a plain id"));
        Map<String, String> form = form(new String(request.body(), StandardCharsets.UTF_8));
        String model = field(form, "model");
        String version = field(form, "version");
        String alias = field(form, "alias");
        ResourceRef ref = ResourceRef.of("example", connection, "registered_model", model);
        return List.of(new CanonicalEvent(delivery, CanonicalEvent.sourceOf(connection),
                EventType.MODEL_VERSION_ALIAS_SET, "models/" + model + "/versions/" + version, request.receivedAt(),
                new AliasChange(model, alias, version, ref)));
    }

    @Override
    public PollResult poll(String cursor) {
        return new PollResult(List.of(), cursor);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static String field(Map<String, String> form, String name) {
        String value = form.get(name);
        if (value == null || !NAME.matcher(value).matches()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "form field " + name + " must be a plain name");
        }
        return value;
    }
}
