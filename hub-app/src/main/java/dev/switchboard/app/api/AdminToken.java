package dev.switchboard.app.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hub's admin token, kept only as its SHA-256 digest: every path but the public ones needs it, as a bearer token
 * ({@link AdminAccessFilter}) or, in the console, typed once into the login page. {@link #matches} compares digests
 * with {@link MessageDigest#isEqual}, so the time taken depends neither on how much of a guess matched nor on its
 * length.
 */
public final class AdminToken {

    private final byte[] digest;

    AdminToken(String token) {
        this.digest = sha256(token);
    }

    /** Whether {@code candidate} is the admin token; null and blank never are. */
    public boolean matches(String candidate) {
        return candidate != null && !candidate.isBlank() && MessageDigest.isEqual(digest, sha256(candidate.trim()));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "AdminToken[redacted]";
    }
}
