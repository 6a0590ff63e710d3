package dev.switchboard.core.store;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How far each route has read the inbox, and what it did with each event it consumed. A route's cursor and
 * the event's outcome move together in one transaction, so after a crash a route resumes at the first event
 * without an outcome.
 */
public final class RouteProgress {

    /** What a route did with an event. */
    public enum Outcome {
        /** The route ran to its end. */
        DONE,
        /** A filter in the route stopped the event; the route id says which route. */
        FILTERED,
        /** The route failed; the detail says why. */
        FAILED
    }

    /**
     * One recorded outcome.
     *
     * @param seq     the event's inbox position
     * @param routeId the route
     * @param outcome what happened
     * @param detail  why, for FILTERED and FAILED; may be null
     */
    public record Entry(long seq, String routeId, Outcome outcome, String detail) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    RouteProgress(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** The seq of the last event the route finished, or empty when it never ran. */
    public Optional<Long> position(String routeId) {
        return jdbc.queryForList("SELECT last_seq FROM route_cursor WHERE route_id = ?", Long.class, routeId)
                .stream().findFirst();
    }

    /** Starts a route's cursor at {@code seq} if it has none yet (a new route begins at the inbox's end). */
    public long positionOrStart(String routeId, long seq) {
        return position(routeId).orElseGet(() -> {
            moveTo(routeId, seq);
            return seq;
        });
    }

    /** Moves the route's cursor past an event it skipped (not subscribed to), without recording an outcome. */
    public void moveTo(String routeId, long seq) {
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.update("UPDATE route_cursor SET last_seq = ?, updated_at = ? WHERE route_id = ?",
                seq, now, routeId);
        if (updated == 0) {
            jdbc.update("INSERT INTO route_cursor (route_id, last_seq, updated_at) VALUES (?, ?, ?)",
                    routeId, seq, now);
        }
    }

    /**
     * Records the route's outcome for the event at {@code seq} and moves its cursor there, atomically. A FAILED
     * outcome also records a {@code route} dead letter with the detail as its reason, in the same transaction, so
     * no failed event is left without one (the dead-letter API lists and inspects them).
     */
    public void complete(String routeId, long seq, Outcome outcome, String detail) {
        tx.executeWithoutResult(status -> {
            Timestamp now = Timestamp.from(clock.instant());
            jdbc.update("DELETE FROM event_outcome WHERE event_seq = ? AND route_id = ?", seq, routeId);
            jdbc.update("INSERT INTO event_outcome (event_seq, route_id, outcome, detail, recorded_at) "
                    + "VALUES (?, ?, ?, ?, ?)", seq, routeId, outcome.name(), detail, now);
            if (outcome == Outcome.FAILED) {
                jdbc.update("INSERT INTO dead_letter (stage, event_seq, route_id, reason, created_at) "
                        + "VALUES ('route', ?, ?, ?, ?)", seq, routeId, "route " + routeId + " failed: " + detail, now);
            }
            moveTo(routeId, seq);
        });
    }

    /** Every outcome recorded for an event, by route. */
    public List<Entry> outcomes(long seq) {
        return jdbc.query("SELECT event_seq, route_id, outcome, detail FROM event_outcome WHERE event_seq = ? "
                        + "ORDER BY route_id",
                (row, n) -> new Entry(row.getLong(1), row.getString(2), Outcome.valueOf(row.getString(3)),
                        row.getString(4)), seq);
    }
}
