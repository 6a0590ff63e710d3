package dev.switchboard.core.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Durable route executions: one work item per (route, event), written in the same transaction as the inbox append
 * for every route whose subscription matches the event ({@link #subscribe}), and claimed by one instance at a time
 * under a short lease that the running instance renews ({@link #renew}).
 *
 * <p>One claim path ({@link #claim}), its writes in the {@link GroupCommit}: on PostgreSQL one statement that locks
 * the runnable rows ({@code SELECT … FOR UPDATE SKIP LOCKED}), claims them and returns them; on H2 a read of
 * candidates, then one conditional update of them, each row of which only one claimer can win, returning the rows it
 * won. Neither takes an execution while an earlier one (by inbox seq) of the same route and subject is unfinished
 * (PENDING, RUNNING or WAITING), so one subject's events go through a route in order; different subjects run in
 * parallel.
 *
 * <p>An execution that reaches a {@code switchboard:} action whose delivery is not done yet is {@code WAITING} on
 * that delivery; the outbox makes it PENDING again ({@link #resume}) in the transaction that records the delivery
 * DELIVERED, or DEAD at its step ({@link #deadAt}) in the one that dead-letters it.
 */
public final class RouteExecutions {

    /** Where an execution stands; the event's outcome for the route. */
    public enum Status {
        /** To run (new, resumed after a step's delivery, or replayed). */
        PENDING,
        /** Claimed by an instance until its lease runs out. */
        RUNNING,
        /** Waiting for the delivery of its step. */
        WAITING,
        /** The route ran to its end. */
        DONE,
        /** A filter of the route stopped the event. */
        FILTERED,
        /** The route failed (not an action); a route dead letter says why. */
        FAILED,
        /** The delivery of its step was dead-lettered; the delivery dead letter says why. */
        DEAD;

        /** Whether the execution has reached an outcome (no instance will run it unless it is replayed). */
        public boolean finished() {
            return this == DONE || this == FILTERED || this == FAILED || this == DEAD;
        }
    }

    /**
     * One execution as stored.
     *
     * @param step      the action step it waits at or died at (from 1), or null
     * @param waitingOn the outbox delivery of that step, or null
     * @param claimId   the claim it runs under (RUNNING), or null
     * @param runs      how often it was claimed (a run per action step plus one, more after a takeover)
     * @param ranBy     the {@linkplain InstanceId#holder() instance} whose run recorded its current state, or null
     *                  before its first run ended
     */
    public record Execution(long id, String routeId, long eventSeq, String subject, Status status, Integer step,
                            Long waitingOn, String detail, String holder, String claimId, Instant leaseUntil,
                            int runs, String ranBy) {
    }

    private static final String COLUMNS = "id, route_id, event_seq, subject, status, step, waiting_on, detail, holder, "
            + "claim_id, lease_until, runs, ran_by";
    /**
     * The execution waiting on a delivery: by the delivery's event and route, the unique key, rather than by an index
     * of its own (every execution is inserted and updated at least twice, and PostgreSQL adds an entry to every index
     * for each new row version). Parameters: event seq, route id, delivery id.
     */
    private static final String WAITING_ON = "event_seq = ? AND route_id = ? AND waiting_on = ?";
    private static final String UNFINISHED = "('PENDING', 'RUNNING', 'WAITING')";
    /**
     * An earlier execution of the route for the subject that has not finished holds this one back, and so does a
     * later one that is waiting or running under a live lease: seqs are drawn at insert and become visible at commit,
     * so two instances appending events of one subject at once can make the later one runnable first, and the
     * earlier one, committed while the later one ran, must not run beside it. (A later one whose lease ran out does
     * not: the earlier one holds it back in turn.) The subject index answers it in a few rows; H2 is told to use it,
     * as it otherwise picked the claim index and scanned every unfinished execution of the route for each candidate
     * (a backlog of 600 took a minute of CPU per pass). Parameter: now.
     */
    private static final String NOT_HELD_BACK = "NOT EXISTS (SELECT 1 FROM route_execution e%s WHERE e.route_id = "
            + "x.route_id AND e.subject = x.subject AND (e.event_seq < x.event_seq AND e.status IN " + UNFINISHED
            + " OR e.event_seq > x.event_seq AND (e.status = 'WAITING' OR e.status = 'RUNNING' AND e.lease_until > ?)))";
    /**
     * Runnable: pending; running under an expired lease; or running under a lease of a dead predecessor (node). The
     * leading {@code IN} lets the claim index skip the route's finished executions, however many there are.
     */
    private static final String RUNNABLE = "x.status IN ('PENDING', 'RUNNING') AND (x.status = 'PENDING' OR "
            + "x.lease_until <= ? OR x.node = ? AND x.holder <> ?)";

    /**
     * A WAITING execution's state once its step is delivered: PENDING, or DONE after its route's last step (with no
     * step or delivery, as a run that ends the route records it).
     */
    private static final String AFTER_DELIVERY = "status = CASE WHEN last_step THEN 'DONE' ELSE 'PENDING' END, "
            + "step = CASE WHEN last_step THEN NULL ELSE step END, "
            + "waiting_on = CASE WHEN last_step THEN NULL ELSE waiting_on END";

    /** A paused route's executions are not claimed (its subscription stays, so they accumulate PENDING). */
    private static final String NOT_PAUSED = "NOT EXISTS (SELECT 1 FROM route_subscription p WHERE p.route_id = "
            + "x.route_id AND p.paused)";

    /**
     * {@link #RUNNABLE} as two reads that each follow the claim index in its own order, so each stops after the rows
     * it needs: the route's PENDING executions in (route, status, id) order, and its few RUNNING ones whose claim is
     * over. With {@code status IN (…)} and {@code ORDER BY id}, H2 read and sorted every pending execution of the
     * route, checking each against {@link #NOT_HELD_BACK}, on every claim: when webhooks came in faster than the route
     * ran, the backlog grew and each claim got slower (B1 and B5 benchmarks: the route's events thread at a full
     * core, 14–20 deliveries a second); PostgreSQL walked the primary key past every finished execution of the table
     * (B1, sixth pass). {@code %1$s} and {@code %2$s}: H2's hints for the claim and subject indexes, or nothing.
     * Parameters: route, now, limit, route, now, node, holder, now, limit, limit.
     */
    private static final String RUNNABLE_BY_INDEX = "SELECT id FROM ("
            + "(SELECT x.id FROM route_execution x%1$s WHERE x.route_id = ? "
            + "AND x.status = 'PENDING' AND " + NOT_PAUSED + " AND " + NOT_HELD_BACK.replace("%s", "%2$s")
            + " ORDER BY x.route_id, x.status, x.id FETCH FIRST ? ROWS ONLY) UNION ALL "
            + "(SELECT x.id FROM route_execution x%1$s WHERE x.route_id = ? "
            + "AND x.status = 'RUNNING' AND (x.lease_until <= ? OR x.node = ? AND x.holder <> ?) AND " + NOT_PAUSED
            + " AND " + NOT_HELD_BACK.replace("%s", "%2$s")
            + " ORDER BY x.route_id, x.status, x.id FETCH FIRST ? ROWS ONLY)) runnable ORDER BY id FETCH FIRST ? ROWS ONLY";

    /** {@link #RUNNABLE_BY_INDEX} on H2, read outside a transaction; only a conditional update claims. */
    private static final String RUNNABLE_H2 = RUNNABLE_BY_INDEX.formatted(" USE INDEX (ix_route_execution_claim)",
            " USE INDEX (ix_route_execution_subject)");

    /**
     * {@link #RUNNABLE_BY_INDEX} on PostgreSQL, locking the rows it returns and skipping those another claimer
     * locked; {@link #RUNNABLE} again on the locked row, so a row another claimer took after this statement's
     * snapshot is re-checked on its newest version and left out. Parameters: those of {@link #RUNNABLE_BY_INDEX},
     * then now, node, holder, limit.
     */
    private static final String RUNNABLE_LOCKED = "SELECT x.id FROM route_execution x WHERE x.id IN ("
            + RUNNABLE_BY_INDEX.formatted("", "") + ") AND " + RUNNABLE + " ORDER BY x.id FETCH FIRST ? ROWS ONLY "
            + "FOR UPDATE SKIP LOCKED";

    /** What a claim sets. Parameters: holder, node, claim id, lease until, now. */
    private static final String TAKE = "status = 'RUNNING', holder = ?, node = ?, claim_id = ?, lease_until = ?, "
            + "runs = runs + 1, updated_at = ?";

    /**
     * The claim on PostgreSQL: {@link #RUNNABLE_LOCKED} taken in one statement that returns the claimed rows.
     * Materialised, so that the locking read runs once whatever plan the update gets (run again, as the inner side
     * of a join, it could skip other rows and claim more than the limit). Parameters: those of
     * {@link #RUNNABLE_LOCKED}, then those of {@link #TAKE}.
     */
    private static final String CLAIM_POSTGRES = "WITH won AS MATERIALIZED (" + RUNNABLE_LOCKED + ") "
            + "UPDATE route_execution r SET " + TAKE + " FROM won WHERE r.id = won.id "
            + "RETURNING r." + COLUMNS.replace(", ", ", r.");

    /**
     * The claim on H2: the candidates ({@link #RUNNABLE_H2}, read before) that are still runnable, updated by a
     * conditional update that only one claimer can win, and returned as updated. Parameters: those of {@link #TAKE},
     * the candidate ids (an array), now, node, holder.
     */
    private static final String CLAIM_H2 = "SELECT " + COLUMNS + " FROM FINAL TABLE (UPDATE route_execution SET "
            + TAKE + " WHERE id = ANY (?) AND (status = 'PENDING' OR status = 'RUNNING' AND (lease_until <= ? "
            + "OR node = ? AND holder <> ?)))";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Store.Dialect dialect;
    private final Clock clock;
    private final GroupCommit groupCommit;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    RouteExecutions(JdbcTemplate jdbc, TransactionTemplate tx, GroupCommit groupCommit, Store.Dialect dialect,
                    Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.groupCommit = groupCommit;
        this.dialect = dialect;
        this.clock = clock;
    }

    /**
     * Registers (or updates) which events {@code routeId} wants: events of one of {@code types} (type names; all
     * when empty) from one of {@code sources} (connection names; all when empty). From now on every append of such
     * an event writes an execution for the route in its own transaction. The first registration of a route with
     * {@code fromBeginning} also writes executions for every such event already in the inbox (once); a route that
     * kept a cursor before executions existed gets them for the events after its cursor.
     *
     * @return how many executions were backfilled
     */
    public int subscribe(String routeId, Collection<String> types, Collection<String> sources, boolean fromBeginning) {
        return tx.execute(status -> {
            Timestamp now = ts(now());
            boolean known = jdbc.update("UPDATE route_subscription SET all_types = ?, all_sources = ?, updated_at = ? "
                    + "WHERE route_id = ?", types.isEmpty(), sources.isEmpty(), now, routeId) == 1;
            if (!known) {
                jdbc.update("INSERT INTO route_subscription (route_id, all_types, all_sources, registered_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?)", routeId, types.isEmpty(), sources.isEmpty(), now, now);
            }
            jdbc.update("DELETE FROM route_subscription_filter WHERE route_id = ?", routeId);
            for (String type : types) {
                jdbc.update("INSERT INTO route_subscription_filter (route_id, kind, filter_value) VALUES (?, 'type', ?)",
                        routeId, type);
            }
            for (String source : sources) {
                jdbc.update("INSERT INTO route_subscription_filter (route_id, kind, filter_value) VALUES (?, 'source', ?)",
                        routeId, "/connections/" + source);
            }
            if (known) {
                return 0;
            }
            Long legacyCursor = jdbc.queryForList("SELECT last_seq FROM route_cursor WHERE route_id = ?", Long.class,
                    routeId).stream().findFirst().orElse(null);
            jdbc.update("DELETE FROM route_cursor WHERE route_id = ?", routeId);
            if (!fromBeginning && legacyCursor == null) {
                return 0;
            }
            int backfilled = jdbc.update("INSERT INTO route_execution (route_id, event_seq, subject, status, created_at, "
                    + "updated_at) SELECT s.route_id, i.seq, i.subject, 'PENDING', ?, ? FROM route_subscription s, "
                    + "inbox_event i WHERE s.route_id = ? AND i.seq > ? AND " + matches("i.type", "i.source")
                    + " AND NOT EXISTS (SELECT 1 FROM route_execution r WHERE r.route_id = s.route_id AND r.event_seq = i.seq)",
                    now, now, routeId, fromBeginning || legacyCursor == null ? 0 : legacyCursor);
            if (backfilled > 0) {
                Store.afterCommit(this::wakeUp);
            }
            return backfilled;
        });
    }

    /**
     * Forgets {@code routeId}'s subscription (the route was removed from the route files): events appended from now
     * on get no execution for it. Its existing executions stay as they are, with their outcomes; a route added again
     * under the same id subscribes anew (and, with {@code startAt: beginning}, gets the events it has no execution
     * for). False when the route had no subscription.
     */
    public boolean unsubscribe(String routeId) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            jdbc.update("DELETE FROM route_subscription_filter WHERE route_id = ?", routeId);
            return jdbc.update("DELETE FROM route_subscription WHERE route_id = ?", routeId) == 1;
        }));
    }

    /**
     * Pauses or resumes {@code routeId} on every instance: a paused route's executions are neither claimed nor
     * run, while new events still get executions for it; resuming runs them in order, where the route stopped.
     *
     * @return false when the route has no subscription (it does not consume {@code switchboard:events})
     */
    public boolean setPaused(String routeId, boolean paused) {
        Timestamp now = ts(now());
        boolean known = (paused
                ? jdbc.update("UPDATE route_subscription SET paused = TRUE, paused_at = ?, updated_at = ? "
                        + "WHERE route_id = ?", now, now, routeId)
                : jdbc.update("UPDATE route_subscription SET paused = FALSE, paused_at = NULL, updated_at = ? "
                        + "WHERE route_id = ?", now, routeId)) == 1;
        if (known && !paused) {
            wakeUp();
        }
        return known;
    }

    /** The routes that are paused now, by id. */
    public Set<String> pausedRoutes() {
        return new TreeSet<>(jdbc.queryForList("SELECT route_id FROM route_subscription WHERE paused",
                String.class));
    }

    /** How many of {@code routeId}'s executions have no outcome yet (PENDING, RUNNING or WAITING). */
    public long unfinished(String routeId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM route_execution WHERE route_id = ? AND status IN "
                + UNFINISHED, Long.class, routeId);
    }

    private static String matches(String type, String source) {
        return "(s.all_types OR EXISTS (SELECT 1 FROM route_subscription_filter f WHERE f.route_id = s.route_id "
                + "AND f.kind = 'type' AND f.filter_value = " + type + ")) AND (s.all_sources OR EXISTS (SELECT 1 FROM "
                + "route_subscription_filter f WHERE f.route_id = s.route_id AND f.kind = 'source' AND f.filter_value = "
                + source + "))";
    }

    /**
     * The statement that writes the executions of newly appended events for every subscribed route that wants them,
     * created when the event was received: {@code events} is a FROM item that names the events {@code e}, with the
     * inbox's {@code seq, type, source, subject, received_at} columns (the inbox table itself, or on PostgreSQL the
     * rows the append's insert returns, so that event and executions are one statement). A WHERE clause follows, to
     * which the caller may add conditions with {@code AND}.
     */
    static String createForEvents(String events) {
        return "INSERT INTO route_execution (route_id, event_seq, subject, status, created_at, updated_at) "
                + "SELECT s.route_id, e.seq, e.subject, 'PENDING', e.received_at, e.received_at FROM " + events
                + ", route_subscription s WHERE " + matches("e.type", "e.source");
    }

    /**
     * Writes the executions of the event just appended at {@code seq} (see {@link #createForEvents}); called by the
     * inbox in the append's transaction.
     */
    int createForAppended(long seq) {
        return jdbc.update(createForEvents("inbox_event e") + " AND e.seq = ?", seq);
    }

    /**
     * Writes the missing executions of the inbox row {@code seq} for every subscribed route that wants it (by its
     * type and source columns, so an undecodable row gets them too): for rows written past {@link InboxStore#append}
     * (a repair, an import). Returns how many it wrote.
     */
    public int createFor(long seq) {
        Timestamp now = ts(now());
        int created = jdbc.update("INSERT INTO route_execution (route_id, event_seq, subject, status, created_at, "
                + "updated_at) SELECT s.route_id, i.seq, i.subject, 'PENDING', ?, ? FROM route_subscription s, "
                + "inbox_event i WHERE i.seq = ? AND " + matches("i.type", "i.source") + " AND NOT EXISTS (SELECT 1 "
                + "FROM route_execution r WHERE r.route_id = s.route_id AND r.event_seq = i.seq)", now, now, seq);
        if (created > 0) {
            Store.afterCommit(this::wakeUp);
        }
        return created;
    }

    /**
     * Claims up to {@code limit} runnable executions of {@code routeId} for {@code instance}, until {@code lease}
     * from now, oldest first. Runnable: PENDING, or RUNNING under a lease that ran out, or RUNNING under a lease of
     * {@code instance}'s own predecessor (same node name, another start), which is taken back at once. Never one
     * that an unfinished earlier execution of the route for the same subject holds back.
     */
    public List<Execution> claim(String routeId, InstanceId instance, Duration lease, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        Instant now = now();
        Timestamp at = ts(now);
        Timestamp until = ts(now.plus(lease));
        String claimId = UUID.randomUUID().toString();
        Object[] runnable = {routeId, at, limit, routeId, at, instance.node(), instance.holder(), at, limit, limit};
        Object[] take = {instance.holder(), instance.node(), claimId, until, at};
        List<Execution> claimed = switch (dialect) {
            // One statement: lock the runnable rows, claim them and return them as claimed.
            case POSTGRESQL -> groupCommit.execute(() -> jdbc.query(CLAIM_POSTGRES, this::map,
                    append(append(runnable, at, instance.node(), instance.holder(), limit), take)));
            case H2 -> {
                // The candidates are read outside a transaction (committed rows either way); only the conditional
                // update claims, and returns the rows it claimed. The claim shares its commit with the webhooks' and
                // deliveries' writes (the group commit); a shared transaction that failed runs it again alone.
                Long[] candidates = jdbc.queryForList(RUNNABLE_H2, Long.class, runnable).toArray(Long[]::new);
                yield candidates.length == 0 ? List.<Execution>of() : groupCommit.execute(() -> jdbc.query(
                        connection -> {
                            var statement = connection.prepareStatement(CLAIM_H2);
                            int next = 0;
                            for (Object value : take) {
                                statement.setObject(++next, value);
                            }
                            statement.setArray(++next, connection.createArrayOf("BIGINT", candidates));
                            statement.setTimestamp(++next, at);
                            statement.setString(++next, instance.node());
                            statement.setString(++next, instance.holder());
                            return statement;
                        }, this::map));
            }
        };
        // Oldest first, as the claim chose them; neither statement returns its rows in an order.
        return claimed.stream().sorted(Comparator.comparingLong(Execution::id)).toList();
    }

    /**
     * Extends the lease of those of {@code running} (execution ids) that {@code instance} still holds: the heartbeat
     * of the runs in progress. Only of those: a run that ended without recording its end (the store failed) must not
     * keep its claim alive, or the execution stayed RUNNING, unclaimable, for as long as this instance lived.
     */
    public int renew(Collection<Long> running, InstanceId instance, Duration lease) {
        if (running.isEmpty()) {
            return 0;
        }
        Long[] ids = running.toArray(Long[]::new);
        Timestamp until = ts(now().plus(lease));
        // In the group commit with this instance's claims and resumes of the same rows (see Outbox#renew).
        return groupCommit.execute(() -> jdbc.update(connection -> {
            var statement = connection.prepareStatement("UPDATE route_execution SET lease_until = ? "
                    + "WHERE id = ANY (?) AND status = 'RUNNING' AND holder = ?");
            statement.setTimestamp(1, until);
            statement.setArray(2, connection.createArrayOf("BIGINT", ids));
            statement.setString(3, instance.holder());
            return statement;
        }));
    }

    /**
     * Records where a claimed execution's run ended, if the claim still holds: DONE, FILTERED or FAILED (with a
     * route dead letter, in the same transaction), WAITING at {@code step} on delivery {@code waitingOn}, or DEAD at
     * {@code step}. False when the claim was lost (another instance took the execution over): the caller rolls back.
     */
    public boolean finish(Execution claimed, Status status, Integer step, Long waitingOn, String detail) {
        return finish(claimed, status, step, waitingOn, false, detail);
    }

    /**
     * {@link #finish(Execution, Status, Integer, Long, String)}, saying for a WAITING execution whether its step is
     * the last thing the route does ({@code lastStep}): then the transaction that records the step's delivery
     * DELIVERED records the execution DONE ({@link #resume}), as the run after it would only end the route.
     */
    public boolean finish(Execution claimed, Status status, Integer step, Long waitingOn, boolean lastStep,
                          String detail) {
        if (status == Status.PENDING || status == Status.RUNNING) {
            throw new IllegalArgumentException("a run ends DONE, FILTERED, FAILED, WAITING or DEAD, not " + status);
        }
        if (lastStep && status != Status.WAITING) {
            throw new IllegalArgumentException("only a WAITING execution waits at its last step, not " + status);
        }
        Timestamp now = ts(now());
        boolean held = jdbc.update("UPDATE route_execution SET status = ?, step = ?, waiting_on = ?, last_step = ?, "
                + "detail = ?, holder = NULL, node = NULL, claim_id = NULL, lease_until = NULL, ran_by = ?, "
                + "updated_at = ? WHERE id = ? AND status = 'RUNNING' AND claim_id = ?", status.name(), step, waitingOn,
                lastStep, detail, claimed.holder(), now, claimed.id(), claimed.claimId()) == 1;
        if (held && status == Status.FAILED) {
            jdbc.update("INSERT INTO dead_letter (stage, event_seq, route_id, reason, created_at) "
                    + "VALUES ('route', ?, ?, ?, ?)", claimed.eventSeq(), claimed.routeId(),
                    "route " + claimed.routeId() + " failed: " + detail, now);
        }
        if (held && status.finished()) {
            Store.afterCommit(this::wakeUp); // a later execution of the subject may go now
        }
        return held;
    }

    /**
     * Where a run of an execution ended: its new state, and for a WAITING one the delivery it waits on, by id when
     * the delivery was stored before, or by the idempotency key of the delivery that the run's writes store.
     *
     * @param lastStep whether that delivery's step is the last thing the route does (see
     *                 {@link #finish(Execution, Status, Integer, Long, boolean, String)})
     */
    public record RunEnd(Status status, Integer step, Long waitingOn, String waitingOnKey, boolean lastStep,
                         String detail) {

        /** An end that waits on nothing. */
        public RunEnd(Status status, String detail) {
            this(status, null, null, null, false, detail);
        }
    }

    /**
     * Applies a run's {@code writes} and records its {@code end} ({@link #finish}) as one unit of the group commit,
     * committed when this returns. False when the claim was lost (another instance took the execution over): then
     * nothing of the unit is kept. A unit that wrote something fails for that, so that the shared transaction is
     * rolled back and every unit of it runs again alone, this one then failing on its own; a lost claim is rare (a
     * run that outlived its lease), and checking the claim before the writes would cost every run a statement.
     */
    public boolean finish(Execution claimed, RunWrites writes, RunEnd end) {
        try {
            return groupCommit.execute(() -> {
                writes.apply();
                Long waitingOn = end.waitingOn();
                if (waitingOn == null && end.waitingOnKey() != null) {
                    waitingOn = writes.deliveryId(end.waitingOnKey());
                    if (waitingOn == null) {
                        throw new IllegalStateException("the run waits on a delivery its writes did not store");
                    }
                }
                boolean held = finish(claimed, end.status(), end.step(), waitingOn, end.lastStep(), end.detail());
                if (!held && !writes.isEmpty()) {
                    throw new ClaimLost();
                }
                return held;
            });
        } catch (ClaimLost lost) {
            return false;
        }
    }

    /** A run's unit found its claim lost after writing: thrown so that its writes are rolled back. */
    private static final class ClaimLost extends RuntimeException {
        ClaimLost() {
            super("the execution's claim was lost", null, false, false);
        }
    }

    /** Gives a claimed execution back unrun (its instance is stopping): PENDING again, for any instance. */
    public void release(Execution claimed) {
        if (jdbc.update("UPDATE route_execution SET status = 'PENDING', holder = NULL, node = NULL, claim_id = NULL, "
                + "lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'RUNNING' AND claim_id = ?",
                ts(now()), claimed.id(), claimed.claimId()) == 1) {
            Store.afterCommit(this::wakeUp);
        }
    }

    /**
     * The execution of route {@code routeId} for event {@code eventSeq} waiting on delivery {@code deliveryId}, if
     * any (a step's delivery names its route and event); its step names the dead letter of that delivery.
     */
    public Optional<Execution> waitingOn(String routeId, long eventSeq, long deliveryId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM route_execution WHERE " + WAITING_ON + " AND status = 'WAITING'",
                this::map, eventSeq, routeId, deliveryId).stream().findFirst();
    }

    /**
     * The delivery of a step of route {@code routeId} for event {@code eventSeq}, {@code deliveryId}, was delivered:
     * the execution waiting on it is runnable again, or DONE when that step was its route's last (nothing would run
     * after it). Its {@code ran_by} stays that of the run that reached the step.
     */
    public boolean resume(String routeId, long eventSeq, long deliveryId) {
        boolean resumed = jdbc.update("UPDATE route_execution SET " + AFTER_DELIVERY + ", updated_at = ? WHERE "
                + WAITING_ON + " AND status = 'WAITING'", ts(now()), eventSeq, routeId, deliveryId) > 0;
        if (resumed) {
            Store.afterCommit(this::wakeUp);
        }
        return resumed;
    }

    /** The same delivery was dead-lettered: the execution waiting on it is DEAD at its step. */
    public boolean deadAt(String routeId, long eventSeq, long deliveryId, String reason) {
        boolean dead = jdbc.update("UPDATE route_execution SET status = 'DEAD', detail = ?, updated_at = ? WHERE "
                + WAITING_ON + " AND status = 'WAITING'", reason, ts(now()), eventSeq, routeId, deliveryId) > 0;
        if (dead) {
            Store.afterCommit(this::wakeUp);
        }
        return dead;
    }

    /** The same delivery, dead, was queued again (replayed): its execution waits on it again. */
    public boolean awaitAgain(String routeId, long eventSeq, long deliveryId) {
        return jdbc.update("UPDATE route_execution SET status = 'WAITING', detail = NULL, updated_at = ? WHERE "
                + WAITING_ON + " AND status = 'DEAD'", ts(now()), eventSeq, routeId, deliveryId) > 0;
    }

    /**
     * Runs a finished execution again (a route dead letter was replayed): PENDING, so the route runs once more on
     * the event; its completed steps are not redone (their deliveries are found by idempotency key). False when
     * the route has no execution for the event.
     */
    public boolean replay(String routeId, long seq) {
        boolean requeued = jdbc.update("UPDATE route_execution SET status = 'PENDING', detail = NULL, updated_at = ? "
                + "WHERE route_id = ? AND event_seq = ? AND status IN ('DONE', 'FILTERED', 'FAILED', 'DEAD')",
                ts(now()), routeId, seq) > 0;
        if (requeued) {
            Store.afterCommit(this::wakeUp);
        }
        return requeued;
    }

    /**
     * Repairs what a race can leave: an execution of {@code routeId} recorded WAITING on a delivery whose outcome
     * committed before the WAITING did (another instance's engine, between the run's read and its commit), which no
     * resume or dead-lettering will touch again. How many it moved on. By route, so that the claim index finds the
     * route's few WAITING executions: by status alone it read the whole table, twice, every few seconds of an idle
     * claim loop (two thirds of the claim loop's CPU samples in the B1 benchmark, more as the table grew).
     */
    public int sweep(String routeId) {
        Timestamp now = ts(now());
        String waiting = " WHERE route_id = ? AND status = 'WAITING' AND EXISTS (SELECT 1 FROM outbox_delivery d "
                + "WHERE d.id = route_execution.waiting_on AND d.status = ";
        int resumed = jdbc.update("UPDATE route_execution SET " + AFTER_DELIVERY + ", updated_at = ?" + waiting
                + "'DELIVERED')", now, routeId);
        int dead = jdbc.update("UPDATE route_execution SET status = 'DEAD', detail = (SELECT d.last_error FROM "
                + "outbox_delivery d WHERE d.id = route_execution.waiting_on), updated_at = ?" + waiting + "'DEAD')",
                now, routeId);
        return resumed + dead;
    }

    public Optional<Execution> find(long id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM route_execution WHERE id = ?", this::map, id).stream().findFirst();
    }

    public Optional<Execution> find(String routeId, long seq) {
        return jdbc.query("SELECT " + COLUMNS + " FROM route_execution WHERE route_id = ? AND event_seq = ?", this::map,
                routeId, seq).stream().findFirst();
    }

    /** Every execution of the event, by route. */
    public List<Execution> forEvent(long seq) {
        return jdbc.query("SELECT " + COLUMNS + " FROM route_execution WHERE event_seq = ? ORDER BY route_id", this::map,
                seq);
    }

    /** How many executions of {@code routeId} are in {@code status}. */
    public long count(String routeId, Status status) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM route_execution WHERE route_id = ? AND status = ?", Long.class,
                routeId, status.name());
    }

    /**
     * How many executions of the subscribed routes have not reached an outcome yet: pending, running, or waiting on
     * a step's delivery. This is the inbox's backlog: an event is routed when each of its executions is finished.
     * Counted route by route, so each count is a range of the claim index rather than a scan of every execution.
     */
    public long unfinished() {
        long total = 0;
        for (String routeId : jdbc.queryForList("SELECT route_id FROM route_subscription", String.class)) {
            total += jdbc.queryForObject("SELECT COUNT(*) FROM route_execution WHERE route_id = ? AND status IN "
                    + UNFINISHED, Long.class, routeId);
        }
        return total;
    }

    /** Runs {@code listener} after an execution may have become runnable here (a commit of this process). */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    void wakeUp() {
        listeners.forEach(Runnable::run);
    }

    private Execution map(ResultSet row, int rowNumber) throws SQLException {
        int step = row.getInt("step");
        Integer stepOrNull = row.wasNull() ? null : step;
        long waiting = row.getLong("waiting_on");
        Long waitingOn = row.wasNull() ? null : waiting;
        Timestamp lease = row.getTimestamp("lease_until");
        return new Execution(row.getLong("id"), row.getString("route_id"), row.getLong("event_seq"),
                row.getString("subject"), Status.valueOf(row.getString("status")), stepOrNull, waitingOn,
                row.getString("detail"), row.getString("holder"), row.getString("claim_id"),
                lease == null ? null : lease.toInstant(), row.getInt("runs"), row.getString("ran_by"));
    }

    private static Object[] append(Object[] first, Object... more) {
        Object[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }
}
