package dev.switchboard.conformance.fakes.mlflow;

import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds and sends webhook deliveries exactly as MLflow does ({@code mlflow/webhooks/delivery.py}, MLflow 3.3+):
 * a Python {@code json.dumps} body ({@code ", "} and {@code ": "} separators, non-ASCII escaped), headers
 * {@code X-MLflow-Delivery-Id} (a UUID4), {@code X-MLflow-Timestamp} (Unix seconds) and, when a secret is set,
 * {@code X-MLflow-Signature: v1,<base64 HMAC-SHA256 of "delivery_id.timestamp.body">}. Also builds the legacy
 * Databricks registry webhooks ({@code X-Databricks-Signature}: hex HMAC-SHA256 of the body).
 */
public final class MlflowWebhookSender {

    private static final DateTimeFormatter PYTHON_ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

    private final String secret;
    private final Clock clock;

    /**
     * @param secret the webhook's secret, or {@code null} for a webhook without one (MLflow then sends no
     *               signature header)
     * @param clock  the clock that stamps deliveries
     */
    public MlflowWebhookSender(String secret, Clock clock) {
        this.secret = secret;
        this.clock = clock;
    }

    /**
     * One delivery as MLflow sends it.
     *
     * @param deliveryId the {@code X-MLflow-Delivery-Id}, also the canonical event id
     * @param headers    every header MLflow sends, by name
     * @param body       the raw body bytes
     */
    public record Delivery(String deliveryId, Map<String, String> headers, byte[] body) {

        public Delivery {
            headers = Map.copyOf(headers);
        }

        /** The delivery as the hub's ingress hands it to a connector. */
        public WebhookRequest toRequest(String connection, Instant receivedAt) {
            Map<String, List<String>> multi = new LinkedHashMap<>();
            headers.forEach((name, value) -> multi.put(name, List.of(value)));
            return new WebhookRequest(connection, multi, body, receivedAt);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A new delivery of {@code entity.action} (lower case, as MLflow sends them), stamped now. */
    public Delivery delivery(String entity, String action, Map<String, ?> data) {
        return delivery(UUID.randomUUID().toString(), clock.instant(), entity, action, data);
    }

    /** A delivery with a given id and send time (a redelivery, or a stale one). */
    public Delivery delivery(String deliveryId, Instant sentAt, String entity, String action, Map<String, ?> data) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("entity", entity);
        payload.put("action", action);
        payload.put("timestamp", PYTHON_ISO.format(sentAt));
        payload.put("data", data);
        byte[] body = PythonJson.dumps(payload).getBytes(StandardCharsets.UTF_8);
        return signed(deliveryId, sentAt.getEpochSecond(), body, secret);
    }

    /** The same delivery (id, timestamp, body), signed with another secret. */
    public static Delivery resignedWith(Delivery delivery, String otherSecret) {
        return signed(delivery.deliveryId(), Long.parseLong(delivery.headers().get("X-MLflow-Timestamp")),
                delivery.body(), otherSecret);
    }

    /** A Databricks registry webhook: flat payload, hex HMAC over the body, no delivery id or timestamp. */
    public static Delivery databricks(String secret, Map<String, ?> payload) {
        byte[] body = PythonJson.dumps(payload).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Databricks-Signature", HexFormat.of().formatHex(hmac(secret, body)));
        return new Delivery(null, headers, body);
    }

    /**
     * POSTs a delivery to {@code url} (the hub's {@code /webhooks/{connection}}), fire-and-forget like MLflow.
     *
     * @return the HTTP status, or -1 when the request failed
     */
    public static int post(URI url, Delivery delivery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
        delivery.headers().forEach(request::header);
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Delivery signed(String deliveryId, long timestamp, byte[] body, String secret) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-MLflow-Delivery-Id", deliveryId);
        headers.put("X-MLflow-Timestamp", Long.toString(timestamp));
        if (secret != null) {
            byte[] prefix = (deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
            byte[] message = new byte[prefix.length + body.length];
            System.arraycopy(prefix, 0, message, 0, prefix.length);
            System.arraycopy(body, 0, message, prefix.length, body.length);
            headers.put("X-MLflow-Signature", "v1," + Base64.getEncoder().encodeToString(hmac(secret, message)));
        }
        return new Delivery(deliveryId, headers, body);
    }

    private static byte[] hmac(String secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }

    /** Python's {@code json.dumps} with default arguments, for the types a webhook payload holds. */
    static final class PythonJson {

        private PythonJson() {
        }

        static String dumps(Object value) {
            StringBuilder out = new StringBuilder();
            write(out, value);
            return out.toString();
        }

        private static void write(StringBuilder out, Object value) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof String text) {
                string(out, text);
            } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
                out.append(value);
            } else if (value instanceof Number number) {
                out.append(number.doubleValue());
            } else if (value instanceof Map<?, ?> map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(first ? "" : ", ");
                    string(out, String.valueOf(entry.getKey()));
                    out.append(": ");
                    write(out, entry.getValue());
                    first = false;
                }
                out.append('}');
            } else if (value instanceof List<?> list) {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    write(out, list.get(i));
                }
                out.append(']');
            } else {
                throw new IllegalArgumentException("not a JSON value: " + value.getClass());
            }
        }

        /** {@code ensure_ascii=True}: everything outside printable ASCII becomes {@code \\uXXXX}. */
        private static void string(StringBuilder out, String text) {
            out.append('"');
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
