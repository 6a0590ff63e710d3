package dev.switchboard.core.store;

import dev.switchboard.model.ResourceRef;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Links an object in a source tool to the same object in a target connection, so a sync or a retried action
 * updates the object it made before instead of making a second one.
 */
public final class IdentityMap {

    /**
     * A link.
     *
     * @param sourceKey        {@link ResourceRef#key()} of the source object
     * @param targetConnection the target connection
     * @param targetKind       the target object's kind
     * @param targetNativeId   the target object's native id
     * @param fingerprint      a digest of what was last written, so an unchanged source needs no write; may be null
     */
    public record Link(String sourceKey, String targetConnection, String targetKind, String targetNativeId,
                       String fingerprint) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    IdentityMap(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<Link> find(ResourceRef source, String targetConnection) {
        return jdbc.query("SELECT source_key, target_connection, target_kind, target_native_id, fingerprint "
                        + "FROM identity_map WHERE source_key = ? AND target_connection = ?",
                (row, n) -> new Link(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5)),
                source.key(), targetConnection).stream().findFirst();
    }

    /** Records (or moves) the link from {@code source} to {@code target}, with the fingerprint of what was written. */
    public void link(ResourceRef source, ResourceRef target, String fingerprint) {
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.update("UPDATE identity_map SET target_kind = ?, target_native_id = ?, fingerprint = ?, "
                        + "updated_at = ? WHERE source_key = ? AND target_connection = ?",
                target.kind(), target.nativeId(), fingerprint, now, source.key(), target.connection());
        if (updated == 0) {
            jdbc.update("INSERT INTO identity_map (source_key, target_connection, target_kind, target_native_id, "
                            + "fingerprint, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    source.key(), target.connection(), target.kind(), target.nativeId(), fingerprint, now);
        }
    }
}
