package dev.switchboard.core.poll;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.HubConnectionOptions;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.store.CursorStore;
import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.WorkLeases;
import dev.switchboard.core.store.WorkLeases.Lease;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.EventSource.PollResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * The hub's pollers: every connection whose event source {@linkplain EventSource#polls() polls} is polled on its
 * {@code poll-interval}, by one instance at a time, the one holding the lease {@code poll:<connection>}.
 *
 * <p>One poll reads the connection's cursor, asks the event source for what changed since, appends the events to
 * the inbox (committed when {@code append} returns) and only then saves the new cursor. A crash in between repeats
 * the poll from the old cursor; the inbox stores each {@code (source, id)} once, so nothing is missed and nothing
 * is stored twice.
 *
 * <p>{@link #tick} does the scheduling: renew held leases (the heartbeat, also while a poll is running), try to
 * acquire free ones, start polls that are due. Polls run on their own threads, one at most per connection, so a
 * slow tool never holds up another connection or the heartbeat. A failed poll is retried with backoff (doubling
 * from the interval up to {@link Settings#maxBackoff}) and logged at WARN when a connection starts failing and at
 * INFO when it recovers, not on every tick. Tests drive {@code tick} on an injected clock; {@link #start} runs it
 * every second.
 */
public final class PollScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PollScheduler.class);
    private static final Duration TICK = Duration.ofSeconds(1);

    /**
     * How pollers hold their leases.
     *
     * @param lease      how long a lease lasts without renewal: a dead instance's pollers are taken over this long
     *                   after its last heartbeat (plus up to a tick, as a standby tries again when it runs out)
     * @param heartbeat  how often a holder renews, and how often other instances try to take a lease over at the
     *                   latest; at most a third of {@code lease}, so two heartbeats can fail before the lease runs out
     * @param maxBackoff the longest wait between polls of a failing connection
     */
    public record Settings(Duration lease, Duration heartbeat, Duration maxBackoff) {

        public static final Settings DEFAULTS = new Settings(WorkLeases.DEFAULT_LEASE, Duration.ofSeconds(5),
                Duration.ofMinutes(15));

        public Settings {
            requirePositive("lease", lease);
            requirePositive("heartbeat", heartbeat);
            requirePositive("maxBackoff", maxBackoff);
            if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
                throw new IllegalArgumentException("heartbeat must be at most a third of lease, but was " + heartbeat
                        + " with lease " + lease);
            }
        }

        private static void requirePositive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
        }
    }

    /**
     * One connection to poll.
     *
     * @param connection the connection's name, also its lease's and cursor's
     * @param source     its event source
     * @param interval   how long from one poll's end to the next poll
     */
    public record Target(String connection, EventSource source, Duration interval) {

        public Target {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(source, "source");
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval of " + connection + " must be positive, but was "
                        + interval);
            }
        }
    }

    /**
     * What this instance knows of one connection's poller, for status and tests.
     *
     * @param holding     whether this instance holds the connection's lease
     * @param polls       polls this instance completed, successful or not
     * @param failures    consecutive failed polls (0 when the last one succeeded)
     * @param lastError   the last failure's message, or null
     * @param nextPollAt  when this instance polls next while it holds the lease
     */
    public record Status(boolean holding, long polls, int failures, String lastError, Instant nextPollAt) {
    }

    private final InboxStore inbox;
    private final CursorStore cursors;
    private final WorkLeases leases;
    private final InstanceId instance;
    private final Settings settings;
    private final Executor pollThreads;
    private final Clock clock;
    private final Map<String, Poller> pollers = new LinkedHashMap<>();
    private ScheduledExecutorService ticker;
    private ExecutorService ownPollThreads;
    private volatile boolean stopped;

    /**
     * @param pollThreads where polls run; tests pass {@code Runnable::run} to poll inside {@link #tick}
     */
    public PollScheduler(Store store, InstanceId instance, List<Target> targets, Settings settings,
                         Executor pollThreads, Clock clock) {
        this.inbox = store.inbox();
        this.cursors = store.cursors();
        this.leases = store.leases();
        this.instance = instance;
        this.settings = settings;
        this.pollThreads = pollThreads;
        this.clock = clock;
        Instant now = clock.instant();
        for (Target target : targets) {
            if (pollers.put(target.connection(), new Poller(target, now)) != null) {
                throw new IllegalArgumentException("connection " + target.connection() + " is listed twice");
            }
        }
    }

    /**
     * A scheduler for every connection of {@code config} whose event source polls and whose options ask for polling
     * ({@link HubConnectionOptions#pollInterval}), with a thread per running poll; {@link #start} it.
     */
    public static PollScheduler forConnections(Store store, InstanceId instance, HubConfig config,
                                               ConnectionRegistry connections, Settings settings, Clock clock) {
        ExecutorService threads = Executors.newCachedThreadPool(daemonThreads("switchboard-poll"));
        PollScheduler scheduler = new PollScheduler(store, instance, targets(config, connections), settings,
                threads, clock);
        scheduler.ownPollThreads = threads;
        return scheduler;
    }

    /** The connections to poll and their intervals; says at INFO which are polled and why the others are not. */
    public static List<Target> targets(HubConfig config, ConnectionRegistry connections) {
        List<Target> targets = new ArrayList<>();
        for (ConnectionRegistry.Entry entry : connections.all()) {
            String name = entry.connection().name();
            Map<String, String> options = Optional.ofNullable(config.connections().get(name))
                    .map(HubConfig.ConnectionSpec::options).orElse(Map.of());
            Optional<EventSource> source = entry.connection().eventSource().filter(EventSource::polls);
            Optional<Duration> interval = HubConnectionOptions.pollInterval(options);
            if (source.isPresent() && interval.isPresent()) {
                targets.add(new Target(name, source.get(), interval.get()));
                LOG.info("Connection {} is polled every {}s{}", name, interval.get().toSeconds(),
                        options.containsKey(HubConnectionOptions.POLL_INTERVAL) ? ""
                                : " (no webhook-secret, so the default; set poll-interval to change it)");
            } else if (source.isEmpty() && options.containsKey(HubConnectionOptions.POLL_INTERVAL)) {
                LOG.warn("Connection {} sets poll-interval, but its connector ({}) cannot poll; it is not polled",
                        name, entry.connector().type());
            }
        }
        return targets;
    }

    public static String leaseName(String connection) {
        return "poll:" + connection;
    }

    public static String cursorName(String connection) {
        return "poll:" + connection;
    }

    /** Starts ticking every second on a thread of its own. */
    public synchronized void start() {
        if (ticker != null || pollers.isEmpty()) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemonThreads("switchboard-poll-scheduler"));
        ticker.scheduleWithFixedDelay(this::tickQuietly, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            // tick catches per connection; this is a bug, and the ticker must survive it
            LOG.error("Poll scheduler tick failed", e);
        }
    }

    /**
     * One scheduling pass over every connection: renew the leases this instance holds when a heartbeat is due, try to
     * take free or expired ones, and start the polls that are due. Returns without waiting for the polls it started
     * (unless the poll executor runs them in place).
     */
    public void tick() {
        for (Poller poller : pollers.values()) {
            if (stopped) {
                return;
            }
            poller.tick(clock.instant());
        }
    }

    /** What this instance knows of each connection's poller, by connection name. */
    public Map<String, Status> status() {
        Map<String, Status> status = new LinkedHashMap<>();
        pollers.forEach((name, poller) -> status.put(name, poller.status()));
        return Collections.unmodifiableMap(status);
    }

    /**
     * Stops ticking, waits up to 10 s for running polls, and releases this instance's leases so another instance
     * takes over at once rather than after the lease runs out.
     */
    public void stop() {
        stopped = true;
        synchronized (this) {
            if (ticker != null) {
                ticker.shutdown(); // a tick in progress ends on its own: interrupted, it could break an H2 write
                awaitQuietly(ticker);
            }
            if (ownPollThreads != null) {
                ownPollThreads.shutdown();
                awaitQuietly(ownPollThreads);
            }
        }
        pollers.values().forEach(Poller::release);
    }

    @Override
    public void close() {
        stop();
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One connection's poller on this instance. Its fields are guarded by {@code this}. */
    private final class Poller {

        private final Target target;
        private final String leaseName;
        private final String cursorName;
        private Lease lease;
        private boolean running;
        private Instant nextAcquireAt;
        private Instant nextRenewAt;
        private Instant nextPollAt;
        private long polls;
        private int failures;
        private String lastError;
        /** The last lease problem logged (database unreachable), so it is logged once until it changes. */
        private String leaseError;

        Poller(Target target, Instant now) {
            this.target = target;
            this.leaseName = leaseName(target.connection());
            this.cursorName = cursorName(target.connection());
            this.nextAcquireAt = now;
            this.nextPollAt = now;
        }

        void tick(Instant now) {
            Runnable poll;
            synchronized (this) {
                try {
                    holdLease(now);
                    leaseOk();
                } catch (RuntimeException e) {
                    leaseFailed(e);
                    return;
                }
                if (lease == null || running || now.isBefore(nextPollAt)) {
                    return;
                }
                running = true;
                Lease held = lease;
                poll = () -> pollOnce(held);
            }
            try {
                pollThreads.execute(poll);
            } catch (RejectedExecutionException stopping) {
                synchronized (this) {
                    running = false;
                }
            }
        }

        /** The heartbeat: renew when due (also while a poll runs); without a lease, try to take it when due. */
        private void holdLease(Instant now) {
            if (lease != null && !now.isBefore(nextRenewAt)) {
                if (lease.renew()) {
                    nextRenewAt = now.plus(settings.heartbeat());
                } else {
                    LOG.info("Poller of {} lost its lease to another instance; it stops polling here",
                            target.connection());
                    lease = null;
                    nextAcquireAt = now.plus(settings.heartbeat());
                }
            }
            // A poll still running on a lease that was lost must finish before this instance may start another.
            if (lease == null && !running && !now.isBefore(nextAcquireAt)) {
                nextAcquireAt = now.plus(settings.heartbeat());
                lease = leases.tryAcquire(leaseName, instance, settings.lease()).orElse(null);
                if (lease == null) {
                    nextAcquireAt = leases.retryAt(leaseName, nextAcquireAt);
                } else {
                    LOG.info("Polling {} on this instance ({}) every {}s", target.connection(), instance,
                            target.interval().toSeconds());
                    nextRenewAt = now.plus(settings.heartbeat());
                    // The previous holder may have died just before its poll; this one is due now.
                    nextPollAt = now;
                }
            }
        }

        private void pollOnce(Lease held) {
            String error = null;
            try {
                Optional<String> cursor = cursors.get(cursorName);
                PollResult result = target.source().poll(cursor.orElse(null));
                requireOwnEvents(result);
                // Committed when append returns; only then may the cursor move past these events.
                inbox.append(result.events());
                // Taken over meanwhile: the new holder owns the cursor now (our events are stored all the same).
                if (!held.renew()) {
                    error = "lost its lease during the poll; the cursor was left to the new holder";
                } else if (result.cursor() != null && !Optional.of(result.cursor()).equals(cursor)) {
                    cursors.save(cursorName, result.cursor());
                }
            } catch (RuntimeException e) {
                error = describe(e);
            } finally {
                finished(error);
            }
        }

        private void requireOwnEvents(PollResult result) {
            result.events().stream().filter(event -> !target.connection().equals(event.sourceConnection()))
                    .findFirst().ifPresent(event -> {
                        throw new IllegalStateException("the event source returned event " + event.id()
                                + " with source " + event.source() + ", not this connection's");
                    });
        }

        private synchronized void finished(String error) {
            running = false;
            polls++;
            Instant now = clock.instant();
            if (error == null) {
                if (failures > 0) {
                    LOG.info("Polling {} works again after {} failed poll(s)", target.connection(), failures);
                }
                failures = 0;
                lastError = null;
                nextPollAt = now.plus(target.interval());
                return;
            }
            failures++;
            Duration wait = backoff(failures);
            nextPollAt = now.plus(wait);
            if (failures == 1 || !error.equals(lastError)) {
                LOG.warn("Polling {} failed: {}; retrying in {}s, then less often while it fails (logged again "
                        + "when the error changes or polling recovers)", target.connection(), error, wait.toSeconds());
            } else {
                LOG.debug("Polling {} failed again ({} in a row): {}", target.connection(), failures, error);
            }
            lastError = error;
        }

        /** The interval after the first failure, doubling after each further one up to maxBackoff (or the interval). */
        private Duration backoff(int failures) {
            Duration cap = target.interval().compareTo(settings.maxBackoff()) > 0
                    ? target.interval() : settings.maxBackoff();
            Duration wait = target.interval();
            for (int i = 1; i < failures && wait.compareTo(cap) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(cap) > 0 ? cap : wait;
        }

        private void leaseOk() {
            if (leaseError != null) {
                LOG.info("Poller of {} can reach its lease again", target.connection());
                leaseError = null;
            }
        }

        private void leaseFailed(RuntimeException e) {
            String error = describe(e);
            if (!error.equals(leaseError)) {
                LOG.warn("Poller of {} cannot read or renew its lease {}: {}; trying again every {}s",
                        target.connection(), leaseName, error, settings.heartbeat().toSeconds());
                leaseError = error;
            }
        }

        synchronized Status status() {
            return new Status(lease != null, polls, failures, lastError, nextPollAt);
        }

        void release() {
            Lease held;
            synchronized (this) {
                held = lease;
                lease = null;
            }
            if (held != null) {
                try {
                    held.release();
                } catch (RuntimeException e) {
                    LOG.warn("Poller of {} could not release its lease ({}); it expires by itself",
                            target.connection(), describe(e));
                }
            }
        }
    }

    /**
     * A message for the log: the connector's own (it names the connection, never a secret), the database's own for
     * a store failure (without Spring's statement text around it), or else the type and text.
     */
    private static String describe(RuntimeException e) {
        if (e instanceof ConnectorException connector) {
            return connector.getMessage();
        }
        if (e instanceof DataAccessException database) {
            return "the store failed: " + database.getMostSpecificCause().getMessage().lines().findFirst().orElse("");
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
