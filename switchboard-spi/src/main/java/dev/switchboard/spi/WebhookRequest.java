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
            // X-Sig and x-sig are one header: their values are kept together, so a second spelling cannot hide.
            headers.forEach((name, values) -> caseInsensitive.merge(name.toLowerCase(Locale.ROOT), List.copyOf(values),
                    (first, second) -> java.util.stream.Stream.concat(first.stream(), second.stream()).toList()));
        }
        headers = java.util.Collections.unmodifiableMap(caseInsensitive);
        body = body == null ? new byte[0] : body;
    }

    /**
     * The value of a header, ignoring the name's case.
     *
     * <p>A header sent more than once is refused rather than read: senders set each of their headers once, and
     * when a signature, id or timestamp comes twice, a proxy that reads the last one and a hub that reads the first
     * would disagree about what was verified.
     *
     * @throws WebhookRejectedException {@link WebhookRejectedException.Reason#MALFORMED} when the header has more
     *                                  than one value
     */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        if (values != null && values.size() > 1) {
            throw new WebhookRejectedException(WebhookRejectedException.Reason.MALFORMED, "header "
                    + (name.matches("[A-Za-z0-9-]{1,64}") ? name : "(name not shown)") + " was sent "
                    + values.size() + " times; it must be sent once");
        }
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
