package dev.switchboard.spi;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC every webhook signature scheme is built on (MLflow, GitHub, Standard Webhooks, …), so an
 * {@link EventSource} only writes what differs: which bytes are signed and how the result is encoded. Compare the
 * result with the received signature using {@link java.security.MessageDigest#isEqual}, which takes constant time.
 */
public final class WebhookSignatures {

    private WebhookSignatures() {
    }

    /** HMAC-SHA256 of {@code parts}, in order, with a UTF-8 text {@code secret} as the key. */
    public static byte[] hmacSha256(String secret, byte[]... parts) {
        return hmacSha256(secret.getBytes(StandardCharsets.UTF_8), parts);
    }

    /** HMAC-SHA256 of {@code parts}, in order, with raw {@code key} bytes (a base64-decoded secret, say). */
    public static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
