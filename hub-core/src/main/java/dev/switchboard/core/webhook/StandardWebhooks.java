package dev.switchboard.core.webhook;

import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs and verifies webhooks the <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> way.
 *
 * <p>A sender puts three headers on each webhook: {@code webhook-id} (unique per message, the same on
 * redeliveries), {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature}: a space-separated list of
 * {@code v1,<base64>} entries, each an HMAC-SHA256 over {@code <id>.<timestamp>.<raw body>}. Several entries let a
 * sender sign with an old and a new secret while a key is rotated; one matching entry is enough. The secret is
 * {@code whsec_} followed by the base64 of the HMAC key (the prefix is optional on input, as in the reference
 * libraries).
 *
 * <p>Verification rejects with {@link WebhookRejectedException}: a missing header or no matching signature is
 * {@link Reason#BAD_SIGNATURE}, a timestamp outside the tolerance (either direction) {@link Reason#STALE}, and a
 * header that is not in the specified form {@link Reason#MALFORMED}. Messages never contain the secret or a
 * computed signature. Signatures are compared in constant time. Instances are immutable and thread-safe.
 */
public final class StandardWebhooks {

    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    /** The window the reference libraries enforce. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    public static final String SECRET_PREFIX = "whsec_";

    private static final String VERSION = "v1";
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_SIGNATURE_HEADER_LENGTH = 4096;

    private final byte[] key;
    private final Duration tolerance;

    /**
     * A signer and verifier for one secret.
     *
     * @throws IllegalArgumentException when the secret is not base64 (the message does not show it)
     */
    public StandardWebhooks(String secret, Duration tolerance) {
        this.key = decodeSecret(secret);
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative, but was " + tolerance);
        }
        this.tolerance = tolerance;
    }

    public StandardWebhooks(String secret) {
        this(secret, DEFAULT_TOLERANCE);
    }

    /** Whether {@code secret} is a usable signing secret ({@code whsec_} plus base64 of a non-empty key). */
    public static boolean isValidSecret(String secret) {
        try {
            decodeSecret(secret);
            return secret.startsWith(SECRET_PREFIX);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] decodeSecret(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("webhook secret must not be blank");
        }
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            byte[] key = Base64.getDecoder().decode(encoded.trim());
            if (key.length == 0) {
                throw new IllegalArgumentException("webhook secret has an empty key");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook secret must be " + SECRET_PREFIX
                    + " followed by base64 (the value is not shown)");
        }
    }

    /**
     * The identity of a verified webhook.
     *
     * @param id        its {@code webhook-id}: stable across redeliveries, so a good event id
     * @param timestamp its {@code webhook-timestamp}
     */
    public record Verified(String id, Instant timestamp) {
    }

    /**
     * Verifies {@code request}'s signature over its raw body, with {@link WebhookRequest#receivedAt()} as now.
     *
     * @throws WebhookRejectedException with the reason when it must not be accepted
     */
    public Verified verify(WebhookRequest request) {
        String id = require(request, ID);
        String timestamp = require(request, TIMESTAMP);
        String signatures = require(request, SIGNATURE);
        if (id.length() > MAX_ID_LENGTH || !isPrintable(id)) {
            throw reject(Reason.MALFORMED, ID + " must be at most " + MAX_ID_LENGTH + " printable characters");
        }
        Instant sentAt = checkTimestamp(timestamp, request.receivedAt());
        byte[] expected = hmac(id, timestamp, request.body());
        if (!anySignatureMatches(signatures, expected)) {
            throw reject(Reason.BAD_SIGNATURE, "no " + SIGNATURE + " entry matches the body: wrong secret, or the "
                    + "body or " + ID + "/" + TIMESTAMP + " changed after signing");
        }
        return new Verified(id, sentAt);
    }

    /** The {@code webhook-signature} value for one message: {@code v1,<base64>}. */
    public String sign(String id, Instant timestamp, byte[] body) {
        return VERSION + "," + Base64.getEncoder().encodeToString(hmac(id, String.valueOf(timestamp.getEpochSecond()), body));
    }

    /** The three headers to send with a message. */
    public Map<String, String> headers(String id, Instant timestamp, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID, id);
        headers.put(TIMESTAMP, String.valueOf(timestamp.getEpochSecond()));
        headers.put(SIGNATURE, sign(id, timestamp, body));
        return headers;
    }

    private static String require(WebhookRequest request, String header) {
        return request.header(header).filter(value -> !value.isBlank()).orElseThrow(() ->
                reject(Reason.BAD_SIGNATURE, "missing header " + header + "; Standard Webhooks needs " + ID + ", "
                        + TIMESTAMP + " and " + SIGNATURE));
    }

    private Instant checkTimestamp(String value, Instant now) {
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw reject(Reason.MALFORMED, TIMESTAMP + " must be whole seconds since the epoch");
        }
        if (Math.abs(seconds) > 100_000_000_000L) {
            throw reject(Reason.STALE, TIMESTAMP + " is far outside the accepted window of " + tolerance.toSeconds() + " s");
        }
        Instant sentAt = Instant.ofEpochSecond(seconds);
        Duration age = Duration.between(sentAt, now);
        if (age.compareTo(tolerance) > 0) {
            throw reject(Reason.STALE, TIMESTAMP + " is " + age.toSeconds() + " s old; at most "
                    + tolerance.toSeconds() + " s is accepted (a replayed or long-delayed webhook)");
        }
        if (age.negated().compareTo(tolerance) > 0) {
            throw reject(Reason.STALE, TIMESTAMP + " is " + age.negated().toSeconds() + " s in the future; at most "
                    + tolerance.toSeconds() + " s is accepted (check the sender's clock)");
        }
        return sentAt;
    }

    private static boolean anySignatureMatches(String header, byte[] expected) {
        if (header.length() > MAX_SIGNATURE_HEADER_LENGTH) {
            throw reject(Reason.MALFORMED, SIGNATURE + " is longer than " + MAX_SIGNATURE_HEADER_LENGTH + " characters");
        }
        boolean sawVersion1 = false;
        boolean matched = false;
        String[] entries = header.trim().split(" +");
        for (int i = 0; i < entries.length; i++) {
            int comma = entries[i].indexOf(',');
            if (comma <= 0 || comma == entries[i].length() - 1) {
                throw reject(Reason.MALFORMED, SIGNATURE + " entry " + (i + 1) + " is not of the form v1,<base64>");
            }
            if (!entries[i].substring(0, comma).equals(VERSION)) {
                continue; // another scheme (v1a is asymmetric); a sender may add it next to v1
            }
            sawVersion1 = true;
            byte[] candidate;
            try {
                candidate = Base64.getDecoder().decode(entries[i].substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw reject(Reason.MALFORMED, SIGNATURE + " entry " + (i + 1) + " is not valid base64");
            }
            // Constant-time, and every entry is looked at, so timing does not tell which one matched.
            matched |= MessageDigest.isEqual(expected, candidate);
        }
        if (!sawVersion1) {
            throw reject(Reason.BAD_SIGNATURE, SIGNATURE + " carries no v1 signature");
        }
        return matched;
    }

    private byte[] hmac(String id, String timestamp, byte[] body) {
        return WebhookSignatures.hmacSha256(key, (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
    }

    private static boolean isPrintable(String value) {
        return value.chars().allMatch(c -> c >= 0x21 && c < 0x7f);
    }

    private static WebhookRejectedException reject(Reason reason, String message) {
        return new WebhookRejectedException(reason, message);
    }
}
