package dev.switchboard.spi;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A webhook exactly as it arrived: the raw body bytes (signatures are computed over these, never over a
 * re-serialised form) and the headers.
 *
 * @param connection the connection named in the URL ({@code /webhooks/{connection}})
 * @param headers    header values by name; look them up with {@link #header}, which ignores case
 * @param body       the raw body
 * @param receivedAt when the hub received it, for timestamp windows
 */
public record WebhookRequest(String connection, Map<String, List<String>> headers, byte[] body, Instant receivedAt) {

    public WebhookRequest {
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, values) -> caseInsensitive.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        }
        headers = java.util.Collections.unmodifiableMap(caseInsensitive);
        body = body == null ? new byte[0] : body;
    }

    /** The first value of a header, ignoring the name's case. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
