package dev.switchboard.spi;

import dev.switchboard.model.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The one function the hub derives idempotency keys with: route steps (the key of a step's outbox delivery), sync
 * creates (the key a target records on the version it creates), and anything a connector needs a stable key for.
 *
 * <p>A key is the lower-case hex SHA-256 (64 characters) of its parts, each encoded as UTF-8 and followed by a zero
 * byte, so no two different lists of parts share a key ({@code ("ab", "c")} and {@code ("a", "bc")} differ). The
 * same parts give the same key in every JVM, instance and version of the hub: keys are stored (outbox, target tags),
 * so this function must never change.
 */
public final class IdempotencyKey {

    private IdempotencyKey() {
    }

    /**
     * The key of {@code parts}.
     *
     * @param parts what identifies the operation, most general first ({@code source, event id, route, endpoint});
     *              none may be null
     * @return 64 lower-case hex digits
     * @throws IllegalArgumentException when there are no parts or a part is null
     */
    public static String of(String... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("an idempotency key needs at least one part");
        }
        MessageDigest sha256 = Digest.sha256Hasher();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("part " + i + " of an idempotency key is null");
            }
            sha256.update(parts[i].getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
        }
        return Digest.sha256(sha256).value();
    }
}
