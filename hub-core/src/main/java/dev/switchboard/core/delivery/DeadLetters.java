package dev.switchboard.core.delivery;

import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.Store;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The dead letters of every stage: list and inspect them, and replay them.
 *
 * <p>Replaying a {@link DeadLetter.Stage#DELIVERY delivery} dead letter queues its delivery again with the attempt
 * count reset and the same idempotency key; the dead letter is marked replayed in the same transaction, so a
 * second replay is a no-op and the action is not delivered twice. If the replayed delivery fails again, a new
 * dead letter records that.
 *
 * <p>A delivery that belongs to a route execution (a step of the route) stops that execution at its step when it
 * is dead-lettered: the dead letter's reason names the route and the step, and replaying it queues the delivery
 * again and sets the execution waiting on it, so once delivered the execution resumes after that step; the steps
 * before it are not redone.
 *
 * <p>{@link DeadLetter.Stage#ROUTE Route} dead letters are recorded when a route fails on an event (its execution is
 * FAILED). Replaying one makes that execution PENDING again: an instance runs the route on the event once more,
 * and steps that succeeded before are answered from their recorded results rather than performed again.
 *
 * <p>{@link DeadLetter.Stage#SYNC Sync} dead letters are recorded by the sync engine for each object that FAILED in
 * an applied run, in the transaction that records the run's outcomes; there is at most one open per job and object
 * (a new failure updates its reason, a later success resolves it). Replaying one runs the job for that object alone,
 * under the job's lease (so never beside a run of the job), and waits for it: {@code REPLAYED} when the object then
 * synced (the dead letter is resolved), {@code FAILED_AGAIN} when it failed once more (the dead letter stays open
 * with the new reason).
 */
public final class DeadLetters {

    /**
     * A dead letter with everything known about it.
     *
     * @param deadLetter the dead letter
     * @param delivery   its delivery, for delivery dead letters
     * @param attempts   every attempt at that delivery, across replays
     */
    public record Detail(DeadLetter deadLetter, Optional<Delivery> delivery, List<Attempt> attempts) {
    }

    /** What a replay did. */
    public enum ReplayOutcome {
        /** Queued again. */
        REPLAYED,
        /** It had been replayed before; nothing done. */
        ALREADY_REPLAYED,
        /** No dead letter with that id. */
        NOT_FOUND,
        /** It names nothing that can be run again (a route dead letter without its event, a sync job gone). */
        NOT_REPLAYABLE,
        /** A sync object was synced again and failed again; the dead letter stays open with the new reason. */
        FAILED_AGAIN
    }

    /** Runs one object of a sync job again: the sync engine, given to the dead letters by the application. */
    @FunctionalInterface
    public interface SyncReplay {

        /**
         * Syncs the object of {@code object}'s job alone, under the job's lease, and returns once the run ended; its
         * outcome resolves or updates the dead letter.
         *
         * @throws IllegalArgumentException when the job is no longer configured
         */
        void replay(DeadLetter.SyncObject object);
    }

    /**
     * The result of replaying one dead letter.
     *
     * @param id      the dead letter
     * @param outcome what happened
     */
    public record ReplayResult(long id, ReplayOutcome outcome) {
    }

    // The action comes from the delivery, so a dead letter filed under the tool that refused a hub action still
    // says which action it was.
    private static final String COLUMNS = "d.id, d.stage, d.delivery_id, d.event_seq, d.connection_name, d.route_id, "
            + "d.reason, d.created_at, d.replayed_at, o.connection_name AS action_connection, o.operation, "
            + "d.sync_job, d.sync_run_id, d.object_key, d.object_model, d.object_version";
    private static final String FROM = " FROM dead_letter d LEFT JOIN outbox_delivery o ON o.id = d.delivery_id";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final RouteExecutions executions;
    private final Clock clock;
    private final SyncReplay syncReplay;

    /** Dead letters whose sync dead letters are {@code NOT_REPLAYABLE}: there is no sync engine to run them. */
    public DeadLetters(Store store, Outbox outbox, Clock clock) {
        this(store, outbox, null, clock);
    }

    /** @param syncReplay runs a sync dead letter's object again; null when sync dead letters cannot be replayed */
    public DeadLetters(Store store, Outbox outbox, SyncReplay syncReplay, Clock clock) {
        this.syncReplay = syncReplay;
        this.executions = store.executions();
        this.jdbc = store.jdbc();
        this.tx = store.transactions();
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Gives up on a claimed delivery: marks it DEAD and records the dead letter, atomically, under the delivery's
     * connection.
     *
     * @return false when the delivery's claim was lost meanwhile (nothing recorded)
     */
    public boolean deadLetterDelivery(Delivery delivery, String reason) {
        return deadLetterDelivery(delivery, reason, delivery.connection());
    }

    /**
     * As {@link #deadLetterDelivery(Delivery, String)}, filed under {@code refusedBy}: the connection whose call
     * failed, which for a hub action ({@code hub/copy-artifact}) is the tool it called, so that listing or
     * replaying that tool's dead letters finds it. The dead letter still names the delivery's action.
     */
    public boolean deadLetterDelivery(Delivery delivery, String reason, String refusedBy) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            if (!outbox.markDead(delivery, reason)) {
                return false;
            }
            String named = reason;
            Optional<RouteExecutions.Execution> execution = delivery.routeId() == null || delivery.eventSeq() == null
                    ? Optional.empty() : executions.waitingOn(delivery.routeId(), delivery.eventSeq(), delivery.id());
            if (execution.isPresent()) {
                // The route execution stops at this step; the dead letter names both, and replaying it resumes there.
                named = "route " + delivery.routeId() + " step " + execution.get().step() + " (switchboard:"
                        + delivery.connection() + "/" + delivery.action() + "): " + reason;
                executions.deadAt(delivery.routeId(), delivery.eventSeq(), delivery.id(), named);
            }
            jdbc.update("INSERT INTO dead_letter (stage, delivery_id, event_seq, connection_name, route_id, reason, "
                            + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", DeadLetter.Stage.DELIVERY.code(), delivery.id(),
                    delivery.eventSeq(), refusedBy, delivery.routeId(), named,
                    Timestamp.from(clock.instant()));
            return true;
        }));
    }

    /** Dead letters matching {@code filter}, newest first. The page token is opaque to callers. */
    public Page<DeadLetter> list(DeadLetterFilter filter, PageRequest page) {
        List<Object> arguments = new ArrayList<>();
        StringBuilder where = where(filter, arguments);
        if (page.pageToken() != null) {
            where.append(" AND d.id < ?");
            arguments.add(parseToken(page.pageToken()));
        }
        List<DeadLetter> rows = jdbc.query("SELECT " + COLUMNS + FROM + " WHERE " + where
                + " ORDER BY d.id DESC FETCH FIRST " + (page.pageSize() + 1) + " ROWS ONLY", this::map, arguments.toArray());
        if (rows.size() <= page.pageSize()) {
            return Page.last(rows);
        }
        List<DeadLetter> items = rows.subList(0, page.pageSize());
        return new Page<>(items, String.valueOf(items.get(items.size() - 1).id()));
    }

    public Optional<DeadLetter> find(long id) {
        return jdbc.query("SELECT " + COLUMNS + FROM + " WHERE d.id = ?", this::map, id).stream().findFirst();
    }

    /** One dead letter with its delivery and the delivery's attempt history. */
    public Optional<Detail> get(long id) {
        return find(id).map(deadLetter -> deadLetter.deliveryId() == null
                ? new Detail(deadLetter, Optional.empty(), List.of())
                : new Detail(deadLetter, outbox.get(deadLetter.deliveryId()), outbox.attempts(deadLetter.deliveryId())));
    }

    /** Replays one dead letter; see the class comment for what that means per stage. */
    public ReplayResult replay(long id) {
        Optional<DeadLetter> sync = find(id).filter(found -> found.stage() == DeadLetter.Stage.SYNC);
        if (sync.isPresent()) {
            return new ReplayResult(id, replaySync(sync.get()));
        }
        ReplayOutcome outcome = tx.execute(status -> {
            Optional<DeadLetter> found = find(id);
            if (found.isEmpty()) {
                return ReplayOutcome.NOT_FOUND;
            }
            DeadLetter deadLetter = found.get();
            boolean replayable = deadLetter.stage() == DeadLetter.Stage.DELIVERY
                    ? deadLetter.deliveryId() != null
                    : deadLetter.routeId() != null && deadLetter.eventSeq() != null;
            if (!replayable) {
                return ReplayOutcome.NOT_REPLAYABLE;
            }
            // The conditional update is what makes two concurrent replays of one dead letter re-queue it once.
            int marked = jdbc.update("UPDATE dead_letter SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL",
                    Timestamp.from(clock.instant()), id);
            if (marked == 0) {
                return ReplayOutcome.ALREADY_REPLAYED;
            }
            if (deadLetter.stage() == DeadLetter.Stage.DELIVERY) {
                outbox.requeue(deadLetter.deliveryId());
            } else {
                // The route's execution of the event runs again; steps that succeeded are not redone.
                if (!executions.replay(deadLetter.routeId(), deadLetter.eventSeq())) {
                    status.setRollbackOnly();
                    return ReplayOutcome.NOT_REPLAYABLE;
                }
            }
            return ReplayOutcome.REPLAYED;
        });
        return new ReplayResult(id, outcome);
    }

    /**
     * Runs the object again outside any transaction here: the run records its outcome, and with it resolves or
     * updates this dead letter, in its own.
     */
    private ReplayOutcome replaySync(DeadLetter deadLetter) {
        if (!deadLetter.open()) {
            return ReplayOutcome.ALREADY_REPLAYED;
        }
        if (syncReplay == null || deadLetter.sync() == null || deadLetter.sync().model() == null) {
            return ReplayOutcome.NOT_REPLAYABLE;
        }
        try {
            syncReplay.replay(deadLetter.sync());
        } catch (IllegalArgumentException e) {
            return ReplayOutcome.NOT_REPLAYABLE;
        }
        // A concurrent replay may have synced it first: resolved either way, which is what the caller asked for.
        return find(deadLetter.id()).filter(DeadLetter::open).isPresent() ? ReplayOutcome.FAILED_AGAIN
                : ReplayOutcome.REPLAYED;
    }

    /** Replays every open dead letter matching {@code filter}, oldest first, and says what happened to each. */
    public List<ReplayResult> replayAll(DeadLetterFilter filter) {
        List<Object> arguments = new ArrayList<>();
        StringBuilder where = where(filter.onlyOpen(true), arguments);
        List<Long> ids = jdbc.queryForList("SELECT d.id FROM dead_letter d WHERE " + where + " ORDER BY d.id", Long.class,
                arguments.toArray());
        return ids.stream().map(this::replay).toList();
    }

    private static StringBuilder where(DeadLetterFilter filter, List<Object> arguments) {
        StringBuilder where = new StringBuilder("1 = 1");
        if (filter.connection() != null) {
            where.append(" AND d.connection_name = ?");
            arguments.add(filter.connection());
        }
        if (filter.stage() != null) {
            where.append(" AND d.stage = ?");
            arguments.add(filter.stage().code());
        }
        if (filter.from() != null) {
            where.append(" AND d.created_at >= ?");
            arguments.add(Timestamp.from(filter.from()));
        }
        if (filter.to() != null) {
            where.append(" AND d.created_at < ?");
            arguments.add(Timestamp.from(filter.to()));
        }
        if (filter.open() != null) {
            where.append(filter.open() ? " AND d.replayed_at IS NULL" : " AND d.replayed_at IS NOT NULL");
        }
        return where;
    }

    private static long parseToken(String token) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("page token must come from a previous page, but was \"" + token + "\"");
        }
    }

    private DeadLetter map(ResultSet row, int rowNumber) throws SQLException {
        long delivery = row.getLong("delivery_id");
        Long deliveryId = row.wasNull() ? null : delivery;
        long seq = row.getLong("event_seq");
        Long eventSeq = row.wasNull() ? null : seq;
        Timestamp replayed = row.getTimestamp("replayed_at");
        String job = row.getString("sync_job");
        String action = row.getString("operation") != null
                ? row.getString("action_connection") + "/" + row.getString("operation")
                : job == null ? null : "sync/" + job;
        DeadLetter.SyncObject sync = job == null ? null : new DeadLetter.SyncObject(job, row.getString("sync_run_id"),
                row.getString("object_key"), row.getString("object_model"), row.getString("object_version"));
        return new DeadLetter(row.getLong("id"), DeadLetter.Stage.ofCode(row.getString("stage")), deliveryId, eventSeq,
                row.getString("connection_name"), action, row.getString("route_id"), row.getString("reason"),
                row.getTimestamp("created_at").toInstant(), replayed == null ? null : replayed.toInstant(), sync);
    }
}
