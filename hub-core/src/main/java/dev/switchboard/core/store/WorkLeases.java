package dev.switchboard.core.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Leases on singleton work, in the database every instance shares: whoever holds the lease named
 * {@code poll:mlflow-prod} is the one instance polling that connection. Never an in-process lock.
 *
 * <p>A lease is short and kept alive by its holder ({@link Lease#renew}, a heartbeat while the work goes on), so
 * when the holder dies its lease expires and another instance {@linkplain #tryAcquire takes it over}. A restarted
 * instance with the same {@linkplain InstanceId#node() node name} takes its predecessor's leases back at once.
 * Every acquisition gets a new claim id; renew and release match it, so a holder that lost its lease cannot touch
 * the new holder's claim.
 *
 * <p>All times come from the injected {@link Clock}; instances compare their own clocks through the table, so
 * their clocks must agree to well within a lease's duration (NTP does).
 */
public final class WorkLeases {

    /**
     * What the hub promises by default: a dead instance's work (its route executions, deliveries, pollers, sync
     * runs and triggers) is taken over within 30 s of its death.
     */
    public static final Duration DEFAULT_TAKEOVER = Duration.ofSeconds(30);

    /**
     * The default duration of every lease and claim the hub takes: {@link #DEFAULT_TAKEOVER} less the time another
     * instance may need to notice that a lease ran out. A claim taken just before its holder dies runs out a whole
     * lease after the death, and the instance that takes it over looks for runnable work every second or so
     * (deliveries' and route executions' poll intervals, the pollers' and triggers' ticks), so a 30 s lease meant a
     * takeover 30 to 31 s after a kill (measured by {@code ClusterFailoverIT}).
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(25);

    private final JdbcTemplate jdbc;
    private final Store.Dialect dialect;
    private final Clock clock;

    WorkLeases(JdbcTemplate jdbc, Store.Dialect dialect, Clock clock) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.clock = clock;
    }

    /**
     * Takes the lease {@code name} for {@code duration} if nobody holds it, its holder's time ran out, or the
     * holder is {@code instance} itself or its predecessor under the same node name.
     *
     * @return the lease, or empty when another live holder has it
     */
    public Optional<Lease> tryAcquire(String name, InstanceId instance, Duration duration) {
        requireName(name);
        requirePositive(duration);
        Instant now = now();
        Instant expires = now.plus(duration);
        String claim = UUID.randomUUID().toString();
        // node = NULL is never true, so an anonymous instance takes over by expiry (or from itself) only.
        int taken = jdbc.update("UPDATE work_lease SET holder = ?, node = ?, claim_id = ?, acquired_at = ?, "
                        + "renewed_at = ?, expires_at = ? WHERE name = ? AND (expires_at <= ? OR holder = ? OR node = ?)",
                instance.holder(), instance.node(), claim, ts(now), ts(now), ts(expires), name, ts(now),
                instance.holder(), instance.node());
        if (taken == 0 && !insert(name, instance, claim, now, expires)) {
            return Optional.empty();
        }
        return Optional.of(new Lease(name, instance, claim, duration, expires));
    }

    /**
     * When an instance that did not get lease {@code name} should try again: when the current claim runs out, if
     * that comes before {@code latest}, else {@code latest}. A standby that only looked every heartbeat would take a
     * dead holder's lease up to a heartbeat after it ran out.
     */
    public Instant retryAt(String name, Instant latest) {
        return find(name).map(Info::expiresAt).filter(latest::isAfter).orElse(latest);
    }

    /** The lease's current row, held or not, for status pages and tests. */
    public Optional<Info> find(String name) {
        return jdbc.query("SELECT name, holder, node, acquired_at, renewed_at, expires_at FROM work_lease "
                + "WHERE name = ?", this::map, name).stream().findFirst();
    }

    /** Inserts the first row for {@code name}; false when another instance has one already. */
    private boolean insert(String name, InstanceId instance, String claim, Instant now, Instant expires) {
        String columns = "INSERT INTO work_lease (name, holder, node, claim_id, acquired_at, renewed_at, expires_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)";
        Object[] values = {name, instance.holder(), instance.node(), claim, ts(now), ts(now), ts(expires)};
        return switch (dialect) {
            // ON CONFLICT keeps PostgreSQL's log free of a unique-violation error per instance and tick.
            case POSTGRESQL -> jdbc.update(columns + " ON CONFLICT (name) DO NOTHING", values) == 1;
            case H2 -> {
                try {
                    yield jdbc.update(columns, values) == 1;
                } catch (DuplicateKeyException heldByAnother) {
                    yield false;
                }
            }
        };
    }

    private Info map(ResultSet row, int rowNumber) throws SQLException {
        return new Info(row.getString("name"), row.getString("holder"), row.getString("node"),
                row.getTimestamp("acquired_at").toInstant(), row.getTimestamp("renewed_at").toInstant(),
                row.getTimestamp("expires_at").toInstant());
    }

    /** The column keeps microseconds on both engines; comparing what was written with what is read needs the same. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 256) {
            throw new IllegalArgumentException("lease name must be 1 to 256 characters, was \"" + name + "\"");
        }
    }

    private static void requirePositive(Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, was " + duration);
        }
    }

    /**
     * A lease's row as stored.
     *
     * @param holder    the holding instance's {@link InstanceId#holder()}
     * @param node      its node name, or null
     * @param expiresAt when another instance may take it over (in the past for a released lease)
     */
    public record Info(String name, String holder, String node, Instant acquiredAt, Instant renewedAt,
                       Instant expiresAt) {

        /** Whether the lease is held at {@code now}. */
        public boolean heldAt(Instant now) {
            return expiresAt.isAfter(now);
        }
    }

    /**
     * One acquisition of a lease, held until it expires unrenewed, is taken over, or is released. Thread-safe: the
     * work renews it from one thread while another checks it. Closing releases it, so a {@code try}-with-resources
     * gives the lease back in the scope that took it.
     */
    public final class Lease implements AutoCloseable {

        private final String name;
        private final InstanceId holder;
        private final String claim;
        private final Duration duration;
        private volatile Instant expiresAt;

        private Lease(String name, InstanceId holder, String claim, Duration duration, Instant expiresAt) {
            this.name = name;
            this.holder = holder;
            this.claim = claim;
            this.duration = duration;
            this.expiresAt = expiresAt;
        }

        public String name() {
            return name;
        }

        public InstanceId holder() {
            return holder;
        }

        /** When the lease runs out unless renewed, as of its last successful acquire or renew. */
        public Instant expiresAt() {
            return expiresAt;
        }

        /**
         * Extends the lease by its duration from now, only while this claim still holds it. A lease whose time ran
         * out is still renewed if nobody took it over meanwhile: nobody else did the work.
         *
         * @return false when the lease was taken over or released: the caller must stop the work it guards
         */
        public boolean renew() {
            Instant now = now();
            Instant expires = now.plus(duration);
            boolean held = jdbc.update("UPDATE work_lease SET renewed_at = ?, expires_at = ? WHERE name = ? "
                    + "AND claim_id = ?", ts(now), ts(expires), name, claim) == 1;
            if (held) {
                expiresAt = expires;
            }
            return held;
        }

        /** Ends this claim now, so another instance can take the lease at once. Harmless once lost or released. */
        public void release() {
            Instant now = now();
            jdbc.update("UPDATE work_lease SET expires_at = ? WHERE name = ? AND claim_id = ?", ts(now), name, claim);
            expiresAt = now;
        }

        @Override
        public void close() {
            release();
        }

        @Override
        public String toString() {
            return "Lease[" + name + " held by " + holder + " until " + expiresAt + "]";
        }
    }
}
