package dev.switchboard.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest of an artifact. SHA-256 is what the hub computes and prefers; MD5 and ETag exist because
 * some stores offer nothing else (an S3 multipart ETag is not a digest of the bytes, so it is its own kind).
 *
 * @param algorithm how the value was computed
 * @param value     lower-case hex for SHA-256 and MD5; the store's opaque string for ETag
 */
public record Digest(Algorithm algorithm, String value) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

    /** How a digest was computed. */
    public enum Algorithm { SHA_256, MD5, ETAG }

    public Digest {
        Checks.requireNonNull("algorithm", algorithm);
        Checks.requireText("value", value);
        if (algorithm != Algorithm.ETAG) {
            value = value.toLowerCase(Locale.ROOT);
            Pattern expected = algorithm == Algorithm.SHA_256 ? SHA256 : MD5;
            if (!expected.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        "value must be lower-case hex for " + algorithm + ", but was " + Checks.quote(value));
            }
        }
    }

    public static Digest sha256(String hex) {
        return new Digest(Algorithm.SHA_256, hex);
    }

    /**
     * A new SHA-256 hasher, to feed while bytes stream ({@code DigestInputStream}) and finish with
     * {@link #sha256(MessageDigest)}. The one place the hub and the connectors make one, so none catches the
     * impossible {@code NoSuchAlgorithmException} again.
     */
    public static MessageDigest sha256Hasher() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The SHA-256 digest of what {@code hasher} (from {@link #sha256Hasher()}) was fed; resets the hasher. */
    public static Digest sha256(MessageDigest hasher) {
        return sha256(HexFormat.of().formatHex(hasher.digest()));
    }

    /** The SHA-256 digest of {@code bytes}. */
    public static Digest sha256Of(byte[] bytes) {
        return sha256(HexFormat.of().formatHex(sha256Hasher().digest(bytes)));
    }
}
