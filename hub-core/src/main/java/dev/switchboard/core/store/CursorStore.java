package dev.switchboard.core.store;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Named, opaque cursors: where a sync job or a poller resumes. A caller saves a cursor only after everything
 * before it is safely stored, so a crash repeats work (which is idempotent) and never skips it.
 */
public final class CursorStore {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    CursorStore(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<String> get(String name) {
        return jdbc.queryForList("SELECT cursor_value FROM sync_cursor WHERE name = ?", String.class, name)
                .stream().findFirst();
    }

    public void save(String name, String cursor) {
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.update("UPDATE sync_cursor SET cursor_value = ?, updated_at = ? WHERE name = ?",
                cursor, now, name);
        if (updated == 0) {
            jdbc.update("INSERT INTO sync_cursor (name, cursor_value, updated_at) VALUES (?, ?, ?)", name, cursor, now);
        }
    }
}
