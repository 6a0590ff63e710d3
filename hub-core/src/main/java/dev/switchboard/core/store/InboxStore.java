package dev.switchboard.core.store;

import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.model.CanonicalEvent;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * The inbox: every accepted canonical event, stored once per {@code (source, id)}, in arrival order.
 * An append is committed before it returns, which is what lets the ingress answer 2xx only for durable events.
 *
 * <p>Reading is defensive: a row whose payload cannot be decoded is an {@link UnreadableEvent} to readers that take
 * {@link InboxEntry entries} ({@link #entriesAfter}, {@link #searchEntries}, {@link #entry}), and is left out by
 * those that take events ({@link #readAfter}, {@link #search}, {@link #get}, {@link #find}); no read fails on it.
 */
public final class InboxStore {

    private static final String COLUMNS = "seq, source, event_id, type, subject, event_time, payload, received_at";
    private static final String INSERT = "INSERT INTO inbox_event "
            + "(source, event_id, type, subject, event_time, received_at, payload, traceparent) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * An append on PostgreSQL: the event, its route executions and its sync triggers in one statement (one round trip
     * on the group commit's writer thread instead of four), the event skipped when its key is stored already. Not a
     * failed insert: that would abort the whole shared transaction on PostgreSQL. Returns the new seq, or no row.
     */
    private static final String APPEND_POSTGRES = "WITH e AS (" + INSERT + " ON CONFLICT (source, event_id) DO NOTHING "
            + "RETURNING seq, type, source, subject, received_at), "
            + "x AS (" + RouteExecutions.createForEvents("e") + "), "
            + "t AS (" + SyncTriggerEvents.createForEvents("e") + ") SELECT seq FROM e";
    /** How many of the latest appended events {@link #readAfter} can answer from memory. */
    static final int RECENT_EVENTS = 1024;

    private final JdbcTemplate jdbc;
    private final Store.Dialect dialect;
    private final GroupCommit groupCommit;
    private final EventCodec codec;
    private final RouteExecutions executions;
    private final SyncTriggerEvents syncTriggerEvents;
    private final Clock clock;
    private final Tracing tracing;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /**
     * The latest events this process appended, added once their insert committed. A route consumer that keeps up
     * reads these instead of querying and decoding what was just written (B1 benchmark).
     */
    private final ConcurrentSkipListMap<Long, StoredEvent> recent = new ConcurrentSkipListMap<>();

    InboxStore(JdbcTemplate jdbc, Store.Dialect dialect, GroupCommit groupCommit, EventCodec codec,
               RouteExecutions executions, SyncTriggerEvents syncTriggerEvents, Clock clock, Tracing tracing) {
        this.syncTriggerEvents = syncTriggerEvents;
        this.jdbc = jdbc;
        this.tracing = tracing;
        this.executions = executions;
        this.dialect = dialect;
        this.groupCommit = groupCommit;
        this.codec = codec;
        this.clock = clock;
    }

    /**
     * Stores the events that are not in the inbox yet, all or none, and returns those that were new (an event
     * already stored, from an earlier delivery of the same webhook, is skipped). Listeners run after the commit.
     */
    public List<StoredEvent> append(List<CanonicalEvent> events) {
        try (Tracing.Scope span = tracing.start("inbox.append").tag("events", events.size())) {
            // Taken on the caller's thread: the group commit may run the insert on another one.
            String traceparent = tracing.traceparent();
            List<Encoded> encoded = encode(events);
            // Concurrent webhooks share a commit: one per group instead of one per request (B1 benchmark).
            return groupCommit.execute(() -> insertNew(encoded, traceparent));
        }
    }

    /**
     * {@link #append} as one of a route run's {@code writes}: the events are stored when they are applied, with the
     * run's end, in the group commit.
     */
    public void appendWith(List<CanonicalEvent> events, RunWrites writes) {
        try (Tracing.Scope span = tracing.start("inbox.append").tag("events", events.size())) {
            String traceparent = tracing.traceparent();
            List<Encoded> encoded = encode(events);
            writes.add(() -> insertNew(encoded, traceparent));
        }
    }

    /**
     * The trace context stored with the event at {@code seq}: the parent of the spans of its route executions. Null
     * when tracing is off (nothing is read) or the event was stored without one.
     */
    public String traceparent(long seq) {
        if (!tracing.on()) {
            return null;
        }
        return jdbc.queryForList("SELECT traceparent FROM inbox_event WHERE seq = ?", String.class, seq).stream()
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** An event with its stored JSON, made on the caller's thread: not on the group commit's single writer. */
    private record Encoded(CanonicalEvent event, String json) {
    }

    private List<Encoded> encode(List<CanonicalEvent> events) {
        return events.stream().map(event -> new Encoded(event, codec.toJsonString(event))).toList();
    }

    private List<StoredEvent> insertNew(List<Encoded> events, String traceparent) {
        List<StoredEvent> added = new ArrayList<>();
        // The column keeps microseconds; so does the copy kept in memory, so both read the same.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        for (Encoded encoded : events) {
            CanonicalEvent event = encoded.event();
            // In the append's transaction: every route that wants the event has its execution, and every sync job it
            // triggers its row, as soon as the event is visible at all; a rolled-back append leaves none of them (no
            // cursor, no gap to wait out). An event whose (source, id) is stored already is skipped.
            Long seq = switch (dialect) {
                case POSTGRESQL -> jdbc.query(connection -> bind(connection.prepareStatement(APPEND_POSTGRES), encoded,
                        now, traceparent), (row, n) -> row.getLong(1)).stream().findFirst().orElse(null);
                case H2 -> insertOnH2(encoded, now, traceparent);
            };
            if (seq != null) {
                added.add(new StoredEvent(seq, event, now));
            }
        }
        if (!added.isEmpty()) {
            Store.afterCommit(() -> {
                remember(added);
                listeners.forEach(Runnable::run);
                executions.wakeUp();
            });
        }
        return added;
    }

    /**
     * The event, then its executions and sync triggers (H2 has no data-modifying WITH). No look-up first: H2 fails
     * only the statement on a duplicate key, and only for a committed row or one of this transaction (an uncommitted
     * insert of another transaction is waited for), so the unique key answers whether the event is stored already.
     * Only that key: the rare duplicate is looked up, so that another key's violation is not taken for one.
     */
    private Long insertOnH2(Encoded encoded, Instant now, String traceparent) {
        var keys = new GeneratedKeyHolder();
        try {
            jdbc.update(connection -> bind(connection.prepareStatement(INSERT, new String[] {"seq"}), encoded, now,
                    traceparent), keys);
        } catch (DuplicateKeyException duplicate) {
            if (exists(encoded.event().source(), encoded.event().id())) {
                return null;
            }
            throw duplicate;
        }
        long seq = keys.getKey().longValue();
        executions.createForAppended(seq);
        syncTriggerEvents.createForAppended(seq);
        return seq;
    }

    /** Sets the parameters of {@link #INSERT}. */
    private PreparedStatement bind(PreparedStatement statement, Encoded encoded, Instant now, String traceparent)
            throws SQLException {
        CanonicalEvent event = encoded.event();
        statement.setString(1, event.source().toString());
        statement.setString(2, event.id());
        statement.setString(3, event.type().typeName());
        statement.setString(4, event.subject());
        // As an OffsetDateTime, not a java.sql.Timestamp: Timestamp's calendar is Julian before 1582, so early times
        // (the model allows year 0000) would be stored days off.
        statement.setObject(5, event.time().atOffset(ZoneOffset.UTC));
        statement.setTimestamp(6, Timestamp.from(now));
        statement.setString(7, encoded.json());
        statement.setString(8, traceparent);
        return statement;
    }

    private void remember(List<StoredEvent> added) {
        added.forEach(stored -> recent.put(stored.seq(), stored));
        while (recent.size() > RECENT_EVENTS) {
            recent.pollFirstEntry();
        }
    }

    /**
     * Events after {@code seq}, oldest first, at most {@code limit}; possibly fewer than are stored, so a reader
     * calls again until it gets none. When the events right after {@code seq} are among the latest this process
     * appended, they come from memory: only those whose insert committed are there, and only an unbroken run of
     * seqs from {@code seq + 1} is taken, so nothing is skipped that a query would return (a gap, e.g. an append
     * still committing, is left to the query).
     */
    public List<InboxEntry> entriesAfter(long seq, int limit) {
        List<InboxEntry> hot = new ArrayList<>();
        for (StoredEvent next = recent.get(seq + 1); next != null && hot.size() < limit;
                next = recent.get(next.seq() + 1)) {
            hot.add(next);
        }
        if (!hot.isEmpty()) {
            return hot;
        }
        return jdbc.query("SELECT " + COLUMNS + " FROM inbox_event WHERE seq > ? ORDER BY seq FETCH FIRST "
                + limit + " ROWS ONLY", this::map, seq);
    }

    /** {@link #entriesAfter} without the rows that cannot be decoded. */
    public List<StoredEvent> readAfter(long seq, int limit) {
        return events(entriesAfter(seq, limit));
    }

    /** The event at {@code seq} if it is among the latest this process appended; empty says nothing more. */
    public Optional<StoredEvent> recent(long seq) {
        return Optional.ofNullable(recent.get(seq));
    }

    /** Events matching {@code query}, newest first, at most {@code limit}; rows that cannot be decoded are left out. */
    public List<StoredEvent> search(EventQuery query, int limit) {
        return events(searchEntries(query, limit));
    }

    /** Rows matching {@code query}, newest first, at most {@code limit}, those that cannot be decoded included. */
    public List<InboxEntry> searchEntries(EventQuery query, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM inbox_event WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.type() != null) {
            sql.append(" AND type = ?");
            args.add(query.type());
        }
        if (query.subject() != null) {
            if (query.subject().endsWith("*")) {
                sql.append(" AND subject LIKE ? ESCAPE '!'");
                String prefix = query.subject().substring(0, query.subject().length() - 1);
                args.add(prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
            } else {
                sql.append(" AND subject = ?");
                args.add(query.subject());
            }
        }
        if (query.source() != null) {
            sql.append(" AND source = ?");
            // Compared as text: a filter that is no connection name (a space, a quote) matches nothing, and must
            // not be parsed as a URI, which would refuse it with an exception.
            args.add("/connections/" + query.source());
        }
        if (query.receivedFrom() != null) {
            sql.append(" AND received_at >= ?");
            args.add(Timestamp.from(query.receivedFrom()));
        }
        if (query.receivedTo() != null) {
            sql.append(" AND received_at < ?");
            args.add(Timestamp.from(query.receivedTo()));
        }
        if (query.beforeSeq() != null) {
            sql.append(" AND seq < ?");
            args.add(query.beforeSeq());
        }
        sql.append(" ORDER BY seq DESC FETCH FIRST ").append(limit).append(" ROWS ONLY");
        return jdbc.query(sql.toString(), this::map, args.toArray());
    }

    public Optional<StoredEvent> find(URI source, String id) {
        return events(jdbc.query("SELECT " + COLUMNS + " FROM inbox_event WHERE source = ? AND event_id = ?",
                this::map, source.toString(), id)).stream().findFirst();
    }

    private boolean exists(URI source, String id) {
        // By the key columns alone: a row with the same key that cannot be decoded still makes this a duplicate.
        return !jdbc.queryForList("SELECT seq FROM inbox_event WHERE source = ? AND event_id = ?", Long.class,
                source.toString(), id).isEmpty();
    }

    /** The event at {@code seq}; empty when there is none or it cannot be decoded (see {@link #entry}). */
    public Optional<StoredEvent> get(long seq) {
        return entry(seq).filter(StoredEvent.class::isInstance).map(StoredEvent.class::cast);
    }

    /** The row at {@code seq}, decoded or not. */
    public Optional<InboxEntry> entry(long seq) {
        return jdbc.query("SELECT " + COLUMNS + " FROM inbox_event WHERE seq = ?", this::map, seq)
                .stream().findFirst();
    }

    /**
     * Marks the event at {@code seq} as injected by an operator (a test event sent through the API rather than by a
     * tool), right after its append.
     */
    public void markInjected(long seq) {
        jdbc.update("INSERT INTO injected_event (seq, injected_at) VALUES (?, ?)", seq,
                Timestamp.from(clock.instant()));
    }

    /** Which of {@code seqs} are events an operator injected. */
    public Set<Long> injected(Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Set.of();
        }
        String marks = String.join(", ", Collections.nCopies(seqs.size(), "?"));
        return new HashSet<>(jdbc.queryForList("SELECT seq FROM injected_event WHERE seq IN (" + marks + ")",
                Long.class, seqs.toArray()));
    }

    /** The highest seq stored, or 0 for an empty inbox. */
    public long lastSeq() {
        Long last = jdbc.queryForObject("SELECT MAX(seq) FROM inbox_event", Long.class);
        return last == null ? 0 : last;
    }

    public long count() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM inbox_event", Long.class);
    }

    /** Runs {@code listener} after every append that stored something; consumers use it to wake up at once. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private InboxEntry map(ResultSet row, int rowNumber) throws SQLException {
        long seq = row.getLong("seq");
        Instant receivedAt = row.getTimestamp("received_at").toInstant();
        String payload = row.getString("payload");
        try {
            return new StoredEvent(seq, codec.fromJson(payload), receivedAt);
        } catch (RuntimeException undecodable) {
            // EventFormatException from the codec, IllegalArgumentException from a record's check, DateTimeException:
            // whatever the payload is, one row must not make the whole read fail.
            return new UnreadableEvent(seq, row.getString("source"), row.getString("event_id"), row.getString("type"),
                    row.getString("subject"), eventTime(row), receivedAt, undecodable.getClass().getSimpleName() + ": "
                    + undecodable.getMessage());
        }
    }

    private static Instant eventTime(ResultSet row) {
        try {
            OffsetDateTime time = row.getObject("event_time", OffsetDateTime.class);
            return time == null ? null : time.toInstant();
        } catch (SQLException | RuntimeException unreadable) {
            return null;
        }
    }

    private static List<StoredEvent> events(List<InboxEntry> entries) {
        List<StoredEvent> events = new ArrayList<>(entries.size());
        for (InboxEntry entry : entries) {
            if (entry instanceof StoredEvent stored) {
                events.add(stored);
            }
        }
        return events;
    }
}
