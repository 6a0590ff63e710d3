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
    /** Records an outcome, replacing one recorded before for the same event and route (a re-run after a crash). */
    private final String upsertOutcome;

    RouteProgress(JdbcTemplate jdbc, TransactionTemplate tx, Store.Dialect dialect, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.upsertOutcome = switch (dialect) {
            case H2 -> "MERGE INTO event_outcome (event_seq, route_id, outcome, detail, recorded_at) "
                    + "KEY (event_seq, route_id) VALUES (?, ?, ?, ?, ?)";
            case POSTGRESQL -> "INSERT INTO event_outcome (event_seq, route_id, outcome, detail, recorded_at) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_seq, route_id) DO UPDATE SET outcome = "
                    + "EXCLUDED.outcome, detail = EXCLUDED.detail, recorded_at = EXCLUDED.recorded_at";
        };
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
     * A request to run an event through a route again, made by replaying the route's dead letter.
     *
     * @param deadLetterId the dead letter that was replayed
     * @param routeId      the route
     * @param seq          the event's inbox position
     */
    public record Replay(long deadLetterId, String routeId, long seq) {
    }

    /**
     * Records the route's outcome for the event at {@code seq} and moves its cursor there, atomically. A FAILED
     * outcome also records a {@code route} dead letter with the detail as its reason, in the same transaction, so
     * no failed event is left without one (the dead-letter API lists, inspects and replays them).
     */
    public void complete(String routeId, long seq, Outcome outcome, String detail) {
        tx.executeWithoutResult(status -> {
            record(routeId, seq, outcome, detail);
            moveTo(routeId, seq);
        });
    }

    /** Asks the route's consumer to run the event again (the dead letter is marked replayed by the caller). */
    public void requestReplay(Replay replay) {
        jdbc.update("INSERT INTO route_replay (dead_letter_id, route_id, event_seq, requested_at) VALUES (?, ?, ?, ?)",
                replay.deadLetterId(), replay.routeId(), replay.seq(), Timestamp.from(clock.instant()));
    }

    /** The replays requested for {@code routeId}, oldest first. */
    public List<Replay> replaysRequested(String routeId) {
        return jdbc.query("SELECT dead_letter_id, route_id, event_seq FROM route_replay WHERE route_id = ? "
                + "ORDER BY dead_letter_id", (row, n) -> new Replay(row.getLong(1), row.getString(2), row.getLong(3)),
                routeId);
    }

    /** Records the outcome of a replay and retires the request, atomically; the route's cursor stays where it is. */
    public void completeReplay(Replay replay, Outcome outcome, String detail) {
        tx.executeWithoutResult(status -> {
            record(replay.routeId(), replay.seq(), outcome, detail);
            jdbc.update("DELETE FROM route_replay WHERE dead_letter_id = ?", replay.deadLetterId());
        });
    }

    /**
     * Records the route's outcome for the event at {@code seq} (and a dead letter for FAILED) without moving its
     * cursor: for a caller that records a batch and moves the cursor once, in its own transaction.
     */
    public void record(String routeId, long seq, Outcome outcome, String detail) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.update(upsertOutcome, seq, routeId, outcome.name(), detail, now);
        if (outcome == Outcome.FAILED) {
            jdbc.update("INSERT INTO dead_letter (stage, event_seq, route_id, reason, created_at) "
                    + "VALUES ('route', ?, ?, ?, ?)", seq, routeId, "route " + routeId + " failed: " + detail, now);
        }
    }

    /** Every outcome recorded for an event, by route. */
    public List<Entry> outcomes(long seq) {
        return jdbc.query("SELECT event_seq, route_id, outcome, detail FROM event_outcome WHERE event_seq = ? "
                        + "ORDER BY route_id",
                (row, n) -> new Entry(row.getLong(1), row.getString(2), Outcome.valueOf(row.getString(3)),
                        row.getString(4)), seq);
    }
}
