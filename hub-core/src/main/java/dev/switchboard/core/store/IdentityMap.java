package dev.switchboard.core.store;

import dev.switchboard.model.ResourceRef;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
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

    private static final String SELECT =
            "SELECT source_key, target_connection, target_kind, target_native_id, fingerprint FROM identity_map ";
    private static final int MAX_IN = 500;

    private final JdbcTemplate jdbc;
    private final Clock clock;

    IdentityMap(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<Link> find(ResourceRef source, String targetConnection) {
        return jdbc.query(SELECT + "WHERE source_key = ? AND target_connection = ?", IdentityMap::link,
                source.key(), targetConnection).stream().findFirst();
    }

    /** The links of many sources to {@code targetConnection} in one query, by source key; sources without one are absent. */
    public Map<String, Link> findAll(Collection<ResourceRef> sources, String targetConnection) {
        return byKey(sources.stream().map(ResourceRef::key).distinct().toList(), "source_key", targetConnection,
                Link::sourceKey);
    }

    /**
     * The links that point at these objects of {@code targetConnection}, by target native id: tells which objects a
     * sync made (so a reverse sync leaves them alone).
     */
    public Map<String, Link> findByTargets(String targetConnection, Collection<String> targetNativeIds) {
        return byKey(targetNativeIds.stream().distinct().toList(), "target_native_id", targetConnection,
                Link::targetNativeId);
    }

    private Map<String, Link> byKey(List<String> values, String column, String targetConnection,
                                    Function<Link, String> key) {
        Map<String, Link> links = new HashMap<>();
        for (int from = 0; from < values.size(); from += MAX_IN) {
            List<String> chunk = values.subList(from, Math.min(values.size(), from + MAX_IN));
            List<Object> arguments = new ArrayList<>(chunk);
            arguments.add(targetConnection);
            jdbc.query(SELECT + "WHERE " + column + " IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?"))
                    + ") AND target_connection = ?", IdentityMap::link, arguments.toArray())
                    .forEach(link -> links.putIfAbsent(key.apply(link), link));
        }
        return links;
    }

    private static Link link(ResultSet row, int n) throws SQLException {
        return new Link(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5));
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
