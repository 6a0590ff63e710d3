package dev.switchboard.core.delivery;

import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RunWrites;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox table: durable deliveries, claimed by {@link DeliveryEngine}s. Safe for several hub instances on one
 * database: on PostgreSQL a claim is {@code SELECT … FOR UPDATE SKIP LOCKED} plus one update of the rows it takes in
 * one short transaction; on H2 each candidate is taken with a conditional update that only one claimer can win.
 *
 * <p>Every completion names the claim it belongs to ({@link Delivery#claimToken()}), so an engine that lost its
 * lease (it hung past it, and another instance took the delivery over) cannot overwrite the newer outcome.
 */
public final class Outbox {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final String INSERT = "INSERT INTO outbox_delivery (idempotency_key, connection_name, operation, "
            + "parameters, event_payload, event_seq, route_id, subject, status, attempts, next_attempt_at, created_at, "
            + "updated_at, traceparent, result, claimed_by, lease_until, last_error) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /** The table of attempts and the columns a first attempt stores. */
    private static final String ATTEMPT = "delivery_attempt (delivery_id, attempt, started_at, finished_at, outcome, "
            + "error_kind, error)";
    /**
     * A delivery's event is stored with it only when it differs from the inbox event it came from (a route changed
     * it); otherwise {@code event_payload} is null and the inbox row is read. Every delivery a route made from an
     * unchanged event used to store a second copy of it (B1 benchmark).
     */
    private static final String COLUMNS = "id, idempotency_key, connection_name, operation, parameters, "
            + "COALESCE(event_payload, (SELECT i.payload FROM inbox_event i WHERE i.seq = outbox_delivery.event_seq)) "
            + "AS event_payload, event_payload IS NULL AS same_as_inbox, event_seq, route_id, subject, status, "
            + "attempts, next_attempt_at, lease_until, claimed_by, last_error, created_at";
    /** Whether a delivery of a subject to a connection is pending or in flight. Parameters: subject, connection. */
    private static final String LANE_BUSY = "EXISTS (SELECT 1 FROM outbox_delivery WHERE subject = ? "
            + "AND connection_name = ? AND status IN ('PENDING', 'IN_FLIGHT'))";
    /**
     * Per-subject order, per connection: an earlier delivery of the subject to the same connection that is still
     * pending or in flight holds it back, and so does a later one in flight under a live lease (ids are drawn at
     * insert and become visible at commit: one claimed already may have a higher id than a pending one whose enqueue
     * committed later). Only under a live lease: the later one, its claim over, is itself held back by the earlier
     * pending one, and each held the other back for good once the later one's instance had died. Another
     * connection's deliveries do not, so one tool's outage does not stall the others. Parameter: now.
     */
    private static final String NOT_HELD_BACK = "NOT EXISTS (SELECT 1 FROM outbox_delivery e WHERE e.subject = d.subject "
            + "AND e.connection_name = d.connection_name AND (e.id < d.id AND e.status IN ('PENDING', 'IN_FLIGHT') "
            + "OR e.id > d.id AND e.status = 'IN_FLIGHT' AND d.status = 'PENDING' AND e.lease_until > ?))";

    /**
     * An in-flight delivery's claim is over: its lease ran out unrenewed, or it was claimed by an earlier start of the
     * claimer's node (a restarted instance takes its dead predecessor's claims back at once). Parameters: now, then
     * the length and text of the node's claim-token prefix and of the claimer's own ({@link #claimPrefixes}).
     * Prefixes are compared with {@code LEFT}, not {@code LIKE}: H2 parses and plans a statement with {@code LIKE}
     * again on every execution (8.8 % of the hub's CPU samples in the B1 benchmark, sixth pass).
     */
    private static final String CLAIM_OVER = "(d.lease_until <= ? OR LEFT(d.claimed_by, ?) = ? "
            + "AND LEFT(d.claimed_by, ?) <> ?)";

    /**
     * Due candidates on H2: pending rows in (status, id) order, so the scan stops after the rows it needs (H2
     * otherwise reads and sorts every pending delivery: the B1 benchmark's hot spot), plus lease-expired ones among
     * the few in flight. One OR of both made H2 walk the whole table. {@code $INDEX} and {@code $ORDER} name the
     * index and its order: {@link #DUE_H2} for every connection, {@link #DUE_H2_ONE} for one.
     */
    private static final String DUE_H2_TEMPLATE = "SELECT id, connection_name, subject, status FROM ("
            + "(SELECT d.id, d.connection_name, d.subject, d.status FROM outbox_delivery d USE INDEX ($INDEX) "
            + "WHERE d.status = 'PENDING'$FILTER AND d.next_attempt_at <= ? AND " + NOT_HELD_BACK
            + " ORDER BY $ORDER$FETCH) UNION ALL "
            + "(SELECT d.id, d.connection_name, d.subject, d.status FROM outbox_delivery d USE INDEX ($INDEX) "
            + "WHERE d.status = 'IN_FLIGHT'$FILTER AND " + CLAIM_OVER + " AND " + NOT_HELD_BACK
            + " ORDER BY $ORDER$FETCH)) due ORDER BY id";
    private static final String DUE_H2 = DUE_H2_TEMPLATE.replace("$INDEX", "ix_outbox_status_id")
            .replace("$ORDER", "d.status, d.id").replace("$FILTER", "");
    /** {@link #DUE_H2} for one connection ({@code V8}'s index): taking one parameter before each timestamp. */
    private static final String DUE_H2_ONE = DUE_H2_TEMPLATE.replace("$INDEX", "ix_outbox_status_connection_id")
            .replace("$ORDER", "d.status, d.connection_name, d.id")
            .replace("$FILTER", " AND d.connection_name = ?");

    private final Store store;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final EventCodec codec = new EventCodec();
    private final Clock clock;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public Outbox(Store store, Clock clock) {
        this.store = store;
        this.jdbc = store.jdbc();
        this.tx = store.transactions();
        this.clock = clock;
    }

    /**
     * Stores a delivery for {@code call}, due at once, and returns it; when a delivery with the same idempotency
     * key exists already (a route re-ran after a crash), returns that one and stores nothing.
     */
    public Delivery enqueue(ActionCall call) {
        // On PostgreSQL a duplicate key aborts the caller's whole transaction, so look first; H2 fails only the
        // statement, and the unique key alone answers (one query less per delivery on the route's thread).
        return enqueue(call, store.dialect() == Store.Dialect.POSTGRESQL);
    }

    /**
     * {@link #enqueue} for a caller that looked the call's idempotency key up in its transaction and found no
     * delivery ({@link #findByKey}), so it is not looked up again.
     */
    public Delivery enqueueAbsent(ActionCall call) {
        return enqueue(call, false);
    }

    /**
     * {@link #enqueueAbsent} as one of a route run's {@code writes}: the delivery is stored when they are applied,
     * in the group commit, and its id is known from then on ({@link RunWrites#inserted}). What the insert needs from
     * the caller's thread (its trace context) or costs CPU (the JSON) is taken now, on the route's thread.
     */
    public void enqueueWith(ActionCall call, RunWrites writes) {
        try (Tracing.Scope span = enqueueSpan(call)) {
            Row row = row(call);
            writes.add(() -> {
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                writes.inserted(call.idempotencyKey(), insert(row, now));
                notifyAfterCommit(call.connection());
            });
        }
    }

    /**
     * The first attempt at a route step, made on the route's worker before the step was stored
     * ({@link DeliveryEngine#performNow}): when it ended and how. {@code result} when it succeeded, else
     * {@code failure}.
     */
    record FirstAttempt(Instant started, Instant finished, ActionTarget.Result result, ConnectorException failure) {
    }

    /**
     * Stores, as one of a route run's {@code writes}, the delivery of a step whose first attempt was made already,
     * with that attempt: DELIVERED with its result; or, when it failed, IN_FLIGHT under {@code claimToken} until
     * {@code leaseUntil}, for the engine to retry or dead-letter as any failed attempt. The delivery as stored goes to
     * {@code committed} after the commit. Nothing is told to the engines: there is nothing to claim.
     */
    void storePerformedWith(ActionCall call, FirstAttempt attempt, String claimToken, Instant leaseUntil,
                            RunWrites writes, Consumer<Delivery> committed) {
        Row row = row(call);
        String result = attempt.result() == null ? null : encodeResult(attempt.result());
        ConnectorException failure = attempt.failure();
        writes.add(() -> {
            long id = insertPerformed(row, attempt, result, claimToken, leaseUntil);
            writes.inserted(call.idempotencyKey(), id);
            Delivery stored = failure == null
                    ? Delivery.of(id, call, Delivery.Status.DELIVERED, 1, attempt.started(), null, null, null)
                    : Delivery.of(id, call, Delivery.Status.IN_FLIGHT, 1, attempt.started(), leaseUntil, claimToken,
                            failure.getMessage());
            Store.afterCommit(() -> committed.accept(stored));
        });
    }

    /**
     * What a route's step needs to know of the outbox, in one statement (a round trip on PostgreSQL, where a run's
     * look-ups were its route worker's limit in B1): the step's delivery, when an earlier run of the execution stored
     * it ({@link #findByKey}), and whether a delivery of the call's subject to its connection is pending or in
     * flight, so that the step must queue behind it rather than be attempted at once (deliveries of a subject to a
     * connection go in order).
     *
     * <p>In the execution's first run ({@code firstRun}) no earlier run stored anything, so the step's delivery is not
     * looked for: only the lane is read. The look-up by key was most of the statement's cost on H2 (a probe of the
     * random-keyed {@code uq_outbox_key}, whose leaves the group commit had just rewritten), and every webhook's
     * first run paid it for nothing.
     */
    StepLookup lookUpStep(ActionCall call, boolean firstRun) {
        if (firstRun) {
            return new StepLookup(Optional.empty(), Boolean.TRUE.equals(jdbc.queryForObject("SELECT " + LANE_BUSY,
                    Boolean.class, call.event().subject(), call.connection())));
        }
        return jdbc.query("SELECT lane.busy, " + COLUMNS + " FROM (SELECT " + LANE_BUSY + " AS busy) lane "
                        + "LEFT JOIN outbox_delivery ON outbox_delivery.idempotency_key = ?",
                (row, n) -> {
                    row.getLong("id");
                    Optional<Delivery> stored = row.wasNull() ? Optional.empty() : Optional.of(map(row, n));
                    return new StepLookup(stored, row.getBoolean("busy"));
                }, call.event().subject(), call.connection(), call.idempotencyKey()).get(0);
    }

    /**
     * A step's delivery, if stored, and whether its lane (its subject at its connection) has a delivery pending or in
     * flight.
     */
    record StepLookup(Optional<Delivery> stored, boolean laneBusy) {
    }

    /** Wakes the engines once the transaction commits: a delivery to {@code connection} (null: any) is due. */
    private void notifyAfterCommit(String connection) {
        Store.afterCommit(() -> listeners.forEach(listener -> listener.accept(connection)));
    }

    private Tracing.Scope enqueueSpan(ActionCall call) {
        return store.tracing().start("outbox.enqueue").tag("switchboard.connection", call.connection())
                .tag("switchboard.action", call.action());
    }

    private Delivery enqueue(ActionCall call, boolean lookFirst) {
        // The delivery's attempts, whenever and wherever they run, are children of this span (stored traceparent).
        try (Tracing.Scope span = enqueueSpan(call)) {
            if (lookFirst) {
                Optional<Delivery> existing = findByKey(call.idempotencyKey());
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            return enqueueTraced(call);
        }
    }

    /**
     * The trace context stored with delivery {@code id}, the parent of its attempts' spans; null when tracing is off
     * (nothing is read) or it was enqueued without one.
     */
    public String traceparent(long id) {
        if (!store.tracing().on()) {
            return null;
        }
        return jdbc.queryForList("SELECT traceparent FROM outbox_delivery WHERE id = ?", String.class, id).stream()
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    private Delivery enqueueTraced(ActionCall call) {
        // Built from what was inserted rather than read back: a re-read cost a query and a JSON decode of the
        // event per delivery (B1 benchmark).
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try {
            long id = insert(row(call), now);
            notifyAfterCommit(call.connection());
            return Delivery.of(id, call, Delivery.Status.PENDING, 0, now, null, null, null);
        } catch (DuplicateKeyException raced) {
            return findByKey(call.idempotencyKey()).orElseThrow(() -> raced);
        }
    }

    /** Whether the call's event is, unchanged, the inbox event it names (known only for the latest events). */
    private boolean sameAsInbox(ActionCall call) {
        return call.eventSeq() != null && store.inbox().recent(call.eventSeq())
                .filter(stored -> stored.event().equals(call.event())).isPresent();
    }

    /** A delivery row to insert: the call with its parameters and (changed) event as JSON and its trace context. */
    private record Row(ActionCall call, String parameters, String eventPayload, String traceparent) {
    }

    private Row row(ActionCall call) {
        return new Row(call, JSON.writeValueAsString(call.parameters()),
                sameAsInbox(call) ? null : codec.toJsonString(call.event()), store.tracing().traceparent());
    }

    private long insert(Row row, Instant at) {
        return insert(row, at, Delivery.Status.PENDING, null, null, null, null);
    }

    /**
     * Inserts {@code row} created at {@code at} in {@code status}: PENDING and due at once; DELIVERED with
     * {@code result} after one attempt; or IN_FLIGHT after one failed attempt ({@code lastError}), claimed.
     */
    private long insert(Row row, Instant at, Delivery.Status status, String result, String claimedBy,
                        Instant leaseUntil, String lastError) {
        var keys = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            var statement = connection.prepareStatement(INSERT, new String[] {"id"});
            bind(statement, row, at, status, result, claimedBy, leaseUntil, lastError);
            return statement;
        }, keys);
        return keys.getKey().longValue();
    }

    /**
     * {@link #insert(Row, Instant, Delivery.Status, String, String, Instant, String)} of a delivery whose first
     * attempt was made already, with that attempt: in one statement on PostgreSQL (a round trip less for the group
     * commit's writer, which has one per statement there), in two on H2 (no data-modifying WITH).
     */
    private long insertPerformed(Row row, FirstAttempt attempt, String result, String claimedBy, Instant leaseUntil) {
        ConnectorException failure = attempt.failure();
        Delivery.Status status = failure == null ? Delivery.Status.DELIVERED : Delivery.Status.IN_FLIGHT;
        String lastError = failure == null ? null : failure.getMessage();
        Timestamp started = Timestamp.from(attempt.started());
        Timestamp finished = Timestamp.from(attempt.finished());
        String outcome = failure == null ? Attempt.Outcome.DELIVERED.name() : Attempt.Outcome.FAILED.name();
        String errorKind = failure == null ? null : failure.kind().name();
        if (store.dialect() == Store.Dialect.H2) {
            long id = insert(row, attempt.started(), status, result, claimedBy, leaseUntil, lastError);
            jdbc.update("INSERT INTO " + ATTEMPT + " VALUES (?, 1, ?, ?, ?, ?, ?)", id, started, finished, outcome,
                    errorKind, lastError);
            return id;
        }
        return jdbc.query(connection -> {
            var statement = connection.prepareStatement("WITH d AS (" + INSERT + " RETURNING id) INSERT INTO "
                    + ATTEMPT + " SELECT id, 1, ?, ?, ?, ?, ? FROM d RETURNING delivery_id");
            int next = bind(statement, row, attempt.started(), status, result, claimedBy, leaseUntil, lastError);
            statement.setTimestamp(next, started);
            statement.setTimestamp(next + 1, finished);
            statement.setString(next + 2, outcome);
            statement.setString(next + 3, errorKind);
            statement.setString(next + 4, lastError);
            return statement;
        }, (ResultSet rows) -> {
            rows.next();
            return rows.getLong(1);
        });
    }

    /** Binds {@link #INSERT}'s parameters; returns the index of the first parameter after them. */
    private static int bind(PreparedStatement statement, Row row, Instant at, Delivery.Status status, String result,
                            String claimedBy, Instant leaseUntil, String lastError) throws SQLException {
        ActionCall call = row.call();
        Timestamp now = Timestamp.from(at);
        statement.setString(1, call.idempotencyKey());
        statement.setString(2, call.connection());
        statement.setString(3, call.action());
        statement.setString(4, row.parameters());
        statement.setString(5, row.eventPayload());
        statement.setObject(6, call.eventSeq());
        statement.setString(7, call.routeId());
        statement.setString(8, call.event().subject());
        statement.setString(9, status.name());
        statement.setInt(10, status == Delivery.Status.PENDING ? 0 : 1);
        statement.setTimestamp(11, now);
        statement.setTimestamp(12, now);
        statement.setTimestamp(13, now);
        statement.setString(14, row.traceparent());
        statement.setString(15, result);
        statement.setString(16, claimedBy);
        statement.setTimestamp(17, leaseUntil == null ? null : Timestamp.from(leaseUntil));
        statement.setString(18, lastError);
        return 19;
    }

    /**
     * Which deliveries an engine can take now, and what each one it takes holds: its engine's bulkheads answer, so
     * a connection without a free slot has its due deliveries left PENDING and untouched, instead of claimed and
     * bounced back.
     *
     * @param <P> what one claimed delivery holds; the claimer closes it when the delivery is done
     */
    public interface Admission<P extends Permit> {

        /** Takes everything and holds nothing. */
        Admission<Permit> UNLIMITED = new Admission<>() {
            @Override
            public Set<String> full() {
                return Set.of();
            }

            @Override
            public Set<String> known() {
                return Set.of();
            }

            @Override
            public Permit tryAdmit(String connection, String subject) {
                return () -> { };
            }
        };

        /** Connections that cannot take a delivery now: their due deliveries are not even read. */
        Set<String> full();

        /**
         * Every connection this claimer can deliver to; while some are {@linkplain #full() full}, only the others
         * among these are read (each on its own, on H2).
         */
        Set<String> known();

        /** What one delivery of {@code subject} to {@code connection} holds, or null when it cannot be taken now. */
        P tryAdmit(String connection, String subject);
    }

    /** What an {@link Admission} hands out for one delivery; closing it gives it back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** A delivery this claimer claimed, with what it holds for it. */
    public record Claimed<P extends Permit>(Delivery delivery, P permit) {
    }

    /** {@link #claimDue(int, Duration, InstanceId)} for an anonymous claimer. */
    public List<Delivery> claimDue(int limit, Duration lease, String owner) {
        return claimDue(limit, lease, new InstanceId(null, owner));
    }

    /** {@link #claim} with every connection admitted and nothing held. */
    public List<Delivery> claimDue(int limit, Duration lease, InstanceId owner) {
        return claim(limit, lease, owner, Admission.UNLIMITED).stream().map(Claimed::delivery).toList();
    }

    /**
     * Claims up to {@code limit} due deliveries for {@code owner} until {@code lease} from now, oldest first, never
     * one that an earlier delivery of its subject to the same connection holds back, and only those
     * {@code admission} takes, each with the permit it took. Due: pending and due, or in flight under a claim that
     * is over (its lease ran out, or it is {@code owner}'s predecessor's: the same {@linkplain InstanceId#node()
     * node}, another start). Claimed deliveries come back IN_FLIGHT with a fresh claim token starting with
     * {@code owner}'s {@linkplain InstanceId#holder() holder}; an attempt left STARTED by the earlier claim is marked
     * LEASE_EXPIRED. Permits of rows that end up not claimed are closed here.
     */
    public <P extends Permit> List<Claimed<P>> claim(int limit, Duration lease, InstanceId owner,
                                                     Admission<P> admission) {
        if (limit <= 0) {
            return List.of();
        }
        Instant now = clock.instant();
        // On H2 the candidates are read before taking a shared transaction: the engine looks each time a delivery
        // ends, and most times nothing is due (B1 benchmark). Reading them outside changes nothing, as H2 reads
        // committed rows either way and only a conditional update claims.
        boolean h2 = store.dialect() == Store.Dialect.H2;
        List<Candidate> h2Candidates = h2 ? dueOnH2(limit, now, owner, admission) : List.of();
        if (h2 && h2Candidates.isEmpty()) {
            return List.of();
        }
        List<Won<P>> won = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();
        try {
            // Shares its commit with the workers' and webhooks' writes (one claim per finished delivery otherwise
            // cost a commit of its own). A shared transaction that failed runs this again alone: the permits its
            // rolled-back run took are given back first.
            store.groupCommit().execute(() -> {
                won.forEach(Won::giveBack);
                won.clear();
                deliveries.clear();
                deliveries.addAll(switch (store.dialect()) {
                    case POSTGRESQL -> claimLocked(limit, now, lease, owner, admission, won);
                    case H2 -> claimConditionally(h2Candidates, limit, now, lease, owner, admission, won);
                });
                return null;
            });
        } catch (RuntimeException rolledBack) {
            won.forEach(Won::giveBack);
            throw rolledBack;
        }
        if (won.isEmpty()) {
            return List.of();
        }
        deliveries.sort(java.util.Comparator.comparingLong(Delivery::id));
        Map<Long, P> permits = new java.util.HashMap<>();
        won.forEach(w -> permits.put(w.candidate().id(), w.permit()));
        List<Claimed<P>> claimed = new ArrayList<>(won.size());
        for (Delivery delivery : deliveries) {
            claimed.add(new Claimed<>(delivery, permits.remove(delivery.id())));
        }
        permits.values().forEach(Permit::close); // none: this claim's rows stay IN_FLIGHT under it
        return claimed;
    }

    /** A candidate this claimer updated, with the permit admission gave it, in a transaction not yet committed. */
    private record Won<P extends Permit>(Candidate candidate, P permit) {
        void giveBack() {
            permit.close();
        }
    }

    /** A due delivery before it is claimed; {@code inFlight} when its lease expired. */
    private record Candidate(long id, String connection, String subject, boolean inFlight) {
    }

    /**
     * Due candidates on H2, oldest first. While no connection is full, one read in id order. While some are, each
     * other connection the claimer knows is read on its own (in its own id order, through {@code V8}'s index) and
     * the full ones not at all: excluding them from one read in id order walked their whole backlog each time.
     */
    private List<Candidate> dueOnH2(int limit, Instant now, InstanceId owner, Admission<?> admission) {
        Set<String> full = admission.full();
        if (full.isEmpty()) {
            return candidates(DUE_H2, List.of(), limit, now, owner, "");
        }
        List<Candidate> due = new ArrayList<>();
        for (String connection : admission.known()) {
            if (!full.contains(connection)) {
                due.addAll(candidates(DUE_H2_ONE, List.of(connection), limit, now, owner, ""));
            }
        }
        due.sort(java.util.Comparator.comparingLong(Candidate::id));
        return due.size() <= 2 * limit ? due : due.subList(0, 2 * limit);
    }

    /**
     * Due candidates, oldest first: {@code select} with {@code $FETCH} (if there) for a branch's row limit, taking
     * in each of its two branches (pending, lease expired) {@code filter}'s values, a timestamp (the lease-expired
     * one followed by the claim prefixes), then {@link #NOT_HELD_BACK}'s timestamp and the limit (once per branch with
     * {@code $FETCH}, else once after both). The limits are parameters, so that the text stays the same.
     * Twice the limit are read, so deliveries to a connection that runs out of slots part-way do not hide those to
     * other connections.
     */
    private List<Candidate> candidates(String select, List<String> filter, int limit, Instant now,
                                       InstanceId owner, String suffix) {
        boolean fetchPerBranch = select.contains("$FETCH");
        List<Object> args = new ArrayList<>();
        for (int branch = 0; branch < 2; branch++) {
            args.addAll(filter);
            args.add(Timestamp.from(now));
            if (branch == 1) {
                args.addAll(claimPrefixes(owner));
            }
            if (fetchPerBranch) {
                args.add(Timestamp.from(now)); // the branch's NOT_HELD_BACK
                args.add(2 * limit);
            }
        }
        if (!fetchPerBranch) {
            args.add(Timestamp.from(now)); // the one NOT_HELD_BACK after both branches
        }
        args.add(2 * limit);
        String fetch = " FETCH FIRST ? ROWS ONLY";
        return jdbc.query(select.replace("$FETCH", fetch) + fetch + suffix,
                (row, n) -> new Candidate(row.getLong(1), row.getString(2), row.getString(3),
                        Delivery.Status.IN_FLIGHT.name().equals(row.getString(4))), args.toArray());
    }

    /**
     * {@link #CLAIM_OVER}'s prefixes of the claim tokens of {@code owner}'s node and of {@code owner} itself, each as
     * its length and its text; for an anonymous owner both are its own, so that no other claim matches.
     */
    private static List<Object> claimPrefixes(InstanceId owner) {
        String own = owner.holder() + "/";
        String node = owner.node() == null ? own : owner.node() + "/";
        return List.of(node.length(), node, own.length(), own);
    }

    /**
     * Claims with row locks (PostgreSQL); adds each delivery it claimed, with its permit, to {@code won}, and returns
     * the claimed rows. The locking read, then one update of all the rows admission took, returning them: a
     * statement per row and a re-read were a round trip each on the group commit's writer thread.
     */
    private <P extends Permit> List<Delivery> claimLocked(int limit, Instant now, Duration lease, InstanceId owner,
                                                Admission<P> admission, List<Won<P>> won) {
        Timestamp at = Timestamp.from(now);
        // Rows locked here but not admitted stay as they are; their locks end with the transaction.
        Set<String> full = admission.full();
        String notFull = full.isEmpty() ? "" : " AND d.connection_name NOT IN ("
                + String.join(", ", Collections.nCopies(full.size(), "?")) + ")";
        String due = "SELECT d.id, d.connection_name, d.subject, d.status FROM outbox_delivery d WHERE "
                + "(d.status = 'PENDING'$NOT_FULL AND d.next_attempt_at <= ? OR d.status = 'IN_FLIGHT'$NOT_FULL "
                + "AND " + CLAIM_OVER + ") AND " + NOT_HELD_BACK + " ORDER BY d.id";
        List<Long> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (Candidate candidate : candidates(due.replace("$NOT_FULL", notFull), List.copyOf(full), limit, now,
                owner, " FOR UPDATE SKIP LOCKED")) {
            P permit = won.size() == limit ? null : admission.tryAdmit(candidate.connection(), candidate.subject());
            if (permit == null) {
                continue;
            }
            won.add(new Won<>(candidate, permit)); // from here on a rollback gives the permit back (claim)
            ids.add(candidate.id());
            tokens.add(newClaimToken(owner));
            expireStartedAttempts(candidate, now);
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.query(connection -> {
            var statement = connection.prepareStatement("UPDATE outbox_delivery SET status = 'IN_FLIGHT', "
                    + "lease_until = ?, claimed_by = c.claim_token, updated_at = ? FROM unnest(?, ?) "
                    + "AS c(claimed_id, claim_token) WHERE id = c.claimed_id RETURNING " + COLUMNS);
            statement.setTimestamp(1, Timestamp.from(now.plus(lease)));
            statement.setTimestamp(2, at);
            statement.setArray(3, connection.createArrayOf("BIGINT", ids.toArray()));
            statement.setArray(4, connection.createArrayOf("VARCHAR", tokens.toArray()));
            return statement;
        }, this::map);
    }

    /**
     * Claims {@code candidates} (read with {@link #DUE_H2}) with conditional updates (H2); adds each delivery it
     * claimed, with its permit, to {@code won}, and returns the claimed rows as the updates return them.
     */
    private <P extends Permit> List<Delivery> claimConditionally(List<Candidate> candidates, int limit, Instant now,
                                                       Duration lease, InstanceId owner, Admission<P> admission,
                                                       List<Won<P>> won) {
        Timestamp at = Timestamp.from(now);
        List<Delivery> claimed = new ArrayList<>();
        for (Candidate candidate : candidates) {
            P permit = won.size() == limit ? null : admission.tryAdmit(candidate.connection(), candidate.subject());
            if (permit == null) {
                continue;
            }
            won.add(new Won<>(candidate, permit)); // from here on a rollback gives the permit back (claim)
            // Only one claimer's update finds the row still due; the others update nothing and move on. The row
            // comes back as updated, so the claim needs no re-read.
            List<Object> args = new ArrayList<>(List.of(Timestamp.from(now.plus(lease)), newClaimToken(owner), at,
                    candidate.id(), at, at));
            args.addAll(claimPrefixes(owner));
            List<Delivery> updated = jdbc.query("SELECT " + COLUMNS + " FROM FINAL TABLE (UPDATE outbox_delivery d "
                            + "SET status = 'IN_FLIGHT', lease_until = ?, claimed_by = ?, updated_at = ? WHERE id = ? "
                            + "AND ((status = 'PENDING' AND next_attempt_at <= ?) OR (status = 'IN_FLIGHT' AND "
                            + CLAIM_OVER + "))) outbox_delivery", this::map, args.toArray());
            if (updated.isEmpty()) {
                won.remove(won.size() - 1).giveBack();
            } else {
                claimed.addAll(updated);
                expireStartedAttempts(candidate, now);
            }
        }
        return claimed;
    }

    /** Ends the attempt an expired claim left STARTED (a pending delivery has none). */
    private void expireStartedAttempts(Candidate candidate, Instant now) {
        if (!candidate.inFlight()) {
            return;
        }
        jdbc.update("UPDATE delivery_attempt SET outcome = 'LEASE_EXPIRED', finished_at = ? WHERE delivery_id = ? "
                + "AND outcome = 'STARTED'", Timestamp.from(now), candidate.id());
    }

    static String newClaimToken(InstanceId owner) {
        return owner.holder() + "/" + UUID.randomUUID();
    }

    /**
     * The heartbeat of deliveries in progress: extends the lease of each claim in {@code claimTokens} that still
     * holds to {@code lease} from now, so a lease need only outlast a few missed heartbeats, not the longest attempt.
     *
     * @return how many claims were renewed (a lost one is not)
     */
    public int renew(Collection<String> claimTokens, Duration lease) {
        if (claimTokens.isEmpty()) {
            return 0;
        }
        String[] tokens = claimTokens.toArray(String[]::new);
        Timestamp until = Timestamp.from(clock.instant().plus(lease));
        // In the group commit, as every other write of this instance to its deliveries: in a transaction of its own
        // it deadlocked on PostgreSQL with a group's claim or outcome, which locks the same rows in another order.
        return store.groupCommit().execute(() -> jdbc.update(connection -> {
            var statement = connection.prepareStatement("UPDATE outbox_delivery SET lease_until = ? "
                    + "WHERE claimed_by = ANY (?) AND status = 'IN_FLIGHT'");
            statement.setTimestamp(1, until);
            statement.setArray(2, connection.createArrayOf("VARCHAR", tokens));
            return statement;
        }));
    }

    /**
     * Records the start of an attempt under the delivery's claim and counts it.
     *
     * @return the attempt's number, or empty when the claim was lost (the delivery must not be performed)
     */
    public Optional<Integer> startAttempt(Delivery delivery) {
        return store.groupCommit().execute(() -> {
            Timestamp now = Timestamp.from(clock.instant());
            int updated = jdbc.update("UPDATE outbox_delivery SET attempts = attempts + 1, updated_at = ? "
                    + "WHERE id = ? AND status = 'IN_FLIGHT' AND claimed_by = ?", now, delivery.id(), delivery.claimToken());
            if (updated == 0) {
                return Optional.<Integer>empty();
            }
            Integer last = jdbc.queryForObject("SELECT MAX(attempt) FROM delivery_attempt WHERE delivery_id = ?",
                    Integer.class, delivery.id());
            int number = last == null ? 1 : last + 1;
            jdbc.update("INSERT INTO delivery_attempt (delivery_id, attempt, started_at, outcome) VALUES (?, ?, ?, 'STARTED')",
                    delivery.id(), number, now);
            return Optional.of(number);
        });
    }

    /** Ends an attempt; a failure's kind and message go into the history. */
    public void finishAttempt(long deliveryId, int number, Attempt.Outcome outcome, ErrorKind kind, String error) {
        jdbc.update("UPDATE delivery_attempt SET outcome = ?, finished_at = ?, error_kind = ?, error = ? "
                        + "WHERE delivery_id = ? AND attempt = ? AND outcome = 'STARTED'",
                outcome.name(), Timestamp.from(clock.instant()), kind == null ? null : kind.name(), error, deliveryId,
                number);
    }

    /**
     * Ends attempt {@code number} as DELIVERED and marks the delivery delivered with {@code result}, in one
     * transaction (shared with other workers': {@link dev.switchboard.core.store.GroupCommit}); false when its
     * claim was lost meanwhile.
     */
    public boolean delivered(Delivery delivery, int number, String result) {
        return store.groupCommit().execute(() -> {
            finishAttempt(delivery.id(), number, Attempt.Outcome.DELIVERED, null, null);
            boolean marked = markDelivered(delivery, result);
            if (marked && delivery.routeId() != null && delivery.eventSeq() != null) {
                // The route execution waiting on this step runs again (or is done, after its route's last step),
                // in the same transaction: no step is lost between the delivery and its execution.
                store.executions().resume(delivery.routeId(), delivery.eventSeq(), delivery.id());
            }
            return marked;
        });
    }

    /** How a delivery's result is stored: its outputs and, when the action started something, that. */
    static String encodeResult(ActionTarget.Result result) {
        Map<String, Object> stored = new java.util.LinkedHashMap<>();
        stored.put("outputs", result.outputs());
        ResourceRef started = result.started();
        if (started != null) {
            Map<String, String> ref = new java.util.LinkedHashMap<>();
            ref.put("system", started.system());
            ref.put("connection", started.connection());
            ref.put("kind", started.kind());
            ref.put("nativeId", started.nativeId());
            if (started.url() != null) {
                ref.put("url", started.url().toString());
            }
            stored.put("started", ref);
        }
        return JSON.writeValueAsString(stored);
    }

    /**
     * The recorded result of a DELIVERED delivery, as the action returned it (the memoised result a route execution
     * continues with); {@link ActionTarget.Result#done()} when none was recorded.
     */
    public ActionTarget.Result result(long deliveryId) {
        String stored = jdbc.queryForList("SELECT result FROM outbox_delivery WHERE id = ?", String.class, deliveryId)
                .stream().findFirst().orElse(null);
        if (stored == null) {
            return ActionTarget.Result.done();
        }
        JsonNode node = JSON.readTree(stored);
        if (!node.path("outputs").isObject()) {
            // Recorded before results kept what an action started: the outputs alone.
            return new ActionTarget.Result(null, JSON.convertValue(node, STRING_MAP));
        }
        Map<String, String> outputs = JSON.convertValue(node.get("outputs"), STRING_MAP);
        JsonNode started = node.path("started");
        ResourceRef ref = started.isObject() ? new ResourceRef(text(started, "system"), text(started, "connection"),
                text(started, "kind"), text(started, "nativeId"),
                started.hasNonNull("url") ? java.net.URI.create(started.get("url").asString()) : null) : null;
        return new ActionTarget.Result(ref, outputs);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asString() : null;
    }

    /** Marks a claimed delivery delivered; false when its claim was lost meanwhile. */
    private boolean markDelivered(Delivery delivery, String result) {
        return jdbc.update("UPDATE outbox_delivery SET status = 'DELIVERED', result = ?, last_error = NULL, "
                        + "lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'IN_FLIGHT' AND claimed_by = ?",
                result, Timestamp.from(clock.instant()), delivery.id(), delivery.claimToken()) == 1;
    }

    /**
     * Puts a claimed delivery back to PENDING, due at {@code nextAttemptAt}, releasing its claim: after a failed
     * attempt (the error is kept) or when it was not attempted at all (breaker open; {@code error} says so).
     */
    public boolean reschedule(Delivery delivery, Instant nextAttemptAt, String error) {
        return jdbc.update("UPDATE outbox_delivery SET status = 'PENDING', next_attempt_at = ?, last_error = ?, "
                        + "lease_until = NULL, claimed_by = NULL, updated_at = ? "
                        + "WHERE id = ? AND status = 'IN_FLIGHT' AND claimed_by = ?",
                Timestamp.from(nextAttemptAt), error, Timestamp.from(clock.instant()), delivery.id(),
                delivery.claimToken()) == 1;
    }

    /** Marks a claimed delivery DEAD; the caller records the dead letter in the same transaction. */
    public boolean markDead(Delivery delivery, String reason) {
        return jdbc.update("UPDATE outbox_delivery SET status = 'DEAD', last_error = ?, lease_until = NULL, "
                        + "updated_at = ? WHERE id = ? AND status = 'IN_FLIGHT' AND claimed_by = ?",
                reason, Timestamp.from(clock.instant()), delivery.id(), delivery.claimToken()) == 1;
    }

    /**
     * Queues a DEAD delivery again, due at once with its attempt count reset; its idempotency key stays, so a
     * target that honours keys still sees the action once. False when it is not DEAD (already re-queued).
     */
    public boolean requeue(long deliveryId) {
        Timestamp now = Timestamp.from(clock.instant());
        boolean requeued = jdbc.update("UPDATE outbox_delivery SET status = 'PENDING', attempts = 0, next_attempt_at = ?, "
                + "lease_until = NULL, claimed_by = NULL, updated_at = ? WHERE id = ? AND status = 'DEAD'",
                now, now, deliveryId) == 1;
        if (requeued) {
            // Its route execution, if it has one, waits on it again.
            jdbc.query("SELECT route_id, event_seq FROM outbox_delivery WHERE id = ? AND route_id IS NOT NULL "
                    + "AND event_seq IS NOT NULL", row -> {
                        store.executions().awaitAgain(row.getString(1), row.getLong(2), deliveryId);
                    }, deliveryId);
            notifyAfterCommit(null);
        }
        return requeued;
    }

    public Optional<Delivery> get(long id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM outbox_delivery WHERE id = ?", this::map, id).stream().findFirst();
    }

    /**
     * Deliveries newest first, optionally only one connection's or one status, older than {@code beforeId} when
     * given (the paging cursor), at most {@code limit}.
     */
    public List<Delivery> list(String connection, Delivery.Status status, Long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM outbox_delivery WHERE 1 = 1");
        List<Object> args = new java.util.ArrayList<>();
        if (connection != null) {
            sql.append(" AND connection_name = ?");
            args.add(connection);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (beforeId != null) {
            sql.append(" AND id < ?");
            args.add(beforeId);
        }
        sql.append(" ORDER BY id DESC FETCH FIRST ").append(limit).append(" ROWS ONLY");
        return jdbc.query(sql.toString(), this::map, args.toArray());
    }

    public Optional<Delivery> findByKey(String idempotencyKey) {
        return jdbc.query("SELECT " + COLUMNS + " FROM outbox_delivery WHERE idempotency_key = ?", this::map,
                idempotencyKey).stream().findFirst();
    }

    /** Every attempt at a delivery, first first. */
    public List<Attempt> attempts(long deliveryId) {
        return jdbc.query("SELECT delivery_id, attempt, started_at, finished_at, outcome, error_kind, error "
                + "FROM delivery_attempt WHERE delivery_id = ? ORDER BY attempt", (row, n) -> new Attempt(
                row.getLong(1), row.getInt(2), instant(row, 3), instant(row, 4), Attempt.Outcome.valueOf(row.getString(5)),
                row.getString(6) == null ? null : ErrorKind.valueOf(row.getString(6)), row.getString(7)), deliveryId);
    }

    /** How many deliveries are in each status (statuses without any are 0). */
    public Map<Delivery.Status, Long> countByStatus() {
        Map<Delivery.Status, Long> counts = new EnumMap<>(Delivery.Status.class);
        for (Delivery.Status status : Delivery.Status.values()) {
            counts.put(status, 0L);
        }
        jdbc.query("SELECT status, COUNT(*) FROM outbox_delivery GROUP BY status",
                row -> { counts.put(Delivery.Status.valueOf(row.getString(1)), row.getLong(2)); });
        return counts;
    }

    /**
     * Calls {@code listener} after a delivery is enqueued (with its connection's name) or re-queued (with null);
     * engines use it to wake up at once.
     */
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<String> listener) {
        listeners.remove(listener);
    }

    private Delivery map(ResultSet row, int rowNumber) throws SQLException {
        long seq = row.getLong("event_seq");
        Long eventSeq = row.wasNull() ? null : seq;
        return new Delivery(row.getLong("id"), row.getString("idempotency_key"), row.getString("connection_name"),
                row.getString("operation"), JSON.readValue(row.getString("parameters"), STRING_MAP),
                event(row, eventSeq), eventSeq, row.getString("route_id"),
                row.getString("subject"), Delivery.Status.valueOf(row.getString("status")), row.getInt("attempts"),
                instant(row, "next_attempt_at"), instant(row, "lease_until"), row.getString("claimed_by"),
                row.getString("last_error"), instant(row, "created_at"));
    }

    /**
     * The delivery's event: the inbox's own decoded copy when the delivery stores none and the event is among the
     * latest; decoding it again for every claimed delivery was 41 % of the delivery poller's CPU (B1, seventh pass).
     */
    private CanonicalEvent event(ResultSet row, Long eventSeq) throws SQLException {
        if (row.getBoolean("same_as_inbox") && eventSeq != null) {
            Optional<StoredEvent> recent = store.inbox().recent(eventSeq);
            if (recent.isPresent()) {
                return recent.get().event();
            }
        }
        return codec.fromJson(row.getString("event_payload"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
