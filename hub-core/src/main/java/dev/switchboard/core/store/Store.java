package dev.switchboard.core.store;

import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.trace.Tracing;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The hub's durable store: inbox, route executions, outbox, dead letters, identity map, cursors and work leases, in one
 * database. H2 (file mode) is the embedded default and PostgreSQL the production choice; both run the same
 * Flyway migrations from {@code db/migration}.
 *
 * <p>Plain Java on purpose: tests and tools build it from a {@link DataSource} without a Spring context.
 */
public final class Store {

    /** How long PostgreSQL's group commit waits for more units under load ({@link GroupCommit}). */
    private static final Duration POSTGRES_LINGER = Duration.ofMillis(1);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Dialect dialect;
    private final InboxStore inbox;
    private final RouteProgress routeProgress;
    private final RouteExecutions executions;
    private final SyncTriggerEvents syncTriggerEvents;
    private final IdentityMap identityMap;
    private final CursorStore cursors;
    private final WorkLeases leases;
    private final GroupCommit groupCommit;
    private final Tracing tracing;

    private Store(DataSource dataSource, Dialect dialect, Clock clock, Tracing tracing) {
        this.tracing = tracing;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.dialect = dialect;
        // On H2, TRANSACTION_ID() tells whether the group's transaction is still the one its first write opened.
        // PostgreSQL's writer lingers under load: its groups' commits and statements are round trips, and larger
        // groups cost the hub and the server less CPU per webhook. H2's commit is CPU for the pages a group changed,
        // and lingering made no difference there (B1, tenth pass).
        this.groupCommit = dialect == Dialect.H2
                ? new GroupCommit(tx, () -> jdbc.queryForObject("SELECT TRANSACTION_ID()", Object.class),
                        Duration.ZERO)
                : new GroupCommit(tx, null, POSTGRES_LINGER);
        this.executions = new RouteExecutions(jdbc, tx, groupCommit, dialect, clock);
        this.syncTriggerEvents = new SyncTriggerEvents(jdbc);
        this.inbox = new InboxStore(jdbc, dialect, groupCommit, new EventCodec(), executions, syncTriggerEvents, clock,
                tracing);
        this.routeProgress = new RouteProgress(executions);
        this.identityMap = new IdentityMap(jdbc, clock);
        this.cursors = new CursorStore(jdbc, clock);
        this.leases = new WorkLeases(jdbc, dialect, clock);
    }

    /** Brings the schema up to date and opens the store. Safe to call on every start and from several instances. */
    public static Store open(DataSource dataSource, Clock clock) {
        return open(dataSource, clock, Tracing.OFF);
    }

    /**
     * Brings the schema up to date and opens the store, whose rows carry the trace context of {@code tracing}'s
     * current span (see {@link Tracing}).
     */
    public static Store open(DataSource dataSource, Clock clock, Tracing tracing) {
        // db/migration holds the schema; db/h2 and db/postgresql tune it for one database (versions between the
        // common ones).
        Dialect dialect = Dialect.of(dataSource);
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration",
                        dialect == Dialect.H2 ? "classpath:db/h2" : "classpath:db/postgresql")
                .load()
                .migrate();
        return new Store(dataSource, dialect, clock, tracing);
    }

    /**
     * Runs {@code action} once the current transaction has committed, or now when there is none. Wake-up listeners
     * go through it: woken before the commit, a reader finds nothing new and sleeps a whole poll interval.
     */
    public static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }

    /** The spans of the work on this store's rows; {@link Tracing#OFF} unless the app turned tracing on. */
    public Tracing tracing() {
        return tracing;
    }

    public InboxStore inbox() {
        return inbox;
    }

    public RouteProgress routeProgress() {
        return routeProgress;
    }

    /** Route executions: one per (route, event), written with the event, claimed under a lease. */
    public RouteExecutions executions() {
        return executions;
    }

    public SyncTriggerEvents syncTriggerEvents() {
        return syncTriggerEvents;
    }

    public IdentityMap identityMap() {
        return identityMap;
    }

    public CursorStore cursors() {
        return cursors;
    }

    /** Leases on singleton work (pollers), shared by every instance on this database. */
    public WorkLeases leases() {
        return leases;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    public TransactionTemplate transactions() {
        return tx;
    }

    /** Short write transactions from many threads at once share a commit through this. */
    public GroupCommit groupCommit() {
        return groupCommit;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The database engines the store runs on; where their SQL differs, the store asks this. */
    public enum Dialect {
        H2, POSTGRESQL;

        static Dialect of(DataSource dataSource) {
            try (var connection = dataSource.getConnection()) {
                String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
                if (product.contains("postgres")) {
                    return POSTGRESQL;
                }
                if (product.contains("h2")) {
                    return H2;
                }
                throw new IllegalStateException("unsupported database " + product + "; use H2 or PostgreSQL");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
            }
        }
    }
}
