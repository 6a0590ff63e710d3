package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.SyncTriggerEvents;
import dev.switchboard.core.store.WorkLeases;
import dev.switchboard.core.store.WorkLeases.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sync jobs by themselves, as their {@link SyncJobSpec.Trigger} says: every interval, and at once when an event
 * of a listed type arrives in the inbox from the job's source connection (so a webhook leads to an immediate
 * incremental run). A burst of events causes one run per job.
 *
 * <p><b>One instance triggers a job.</b> With several hub instances on one store, the instance holding the lease
 * {@code sync-trigger:<job>} runs the job's triggers; the others stand by and take the lease over once it runs out
 * unrenewed (the holder died), trying again at the second it runs out. The instance that takes it over runs the job
 * when the job's last applied run did not finish: at once when that run was ABORTED, else as soon as the run's own
 * lease runs out (the dead instance's run; one of a live instance is waited for), so a run cut short by a crash is
 * redone within a lease's time. Each run itself holds the job's
 * run lease ({@link SyncService#tryApply}); when another instance is running the job (an apply from the API), the
 * triggered run is asked for again at the next tick instead of being dropped.
 *
 * <p>Events are commit-ordered: each job triggered by events {@linkplain SyncTriggerEvents subscribes}, and every
 * inbox append of a matching event writes a row for the job in the append's own transaction; the trigger's holder
 * runs the job for the rows it finds, and deletes them once the run went through. An append that commits after a
 * later one is seen all the same, and an event that arrived while no instance held the trigger runs the job once one
 * does. Events from before the job's first subscription cause no run of their own, and lose nothing, because the
 * job's next run reads everything since its cursor.
 *
 * <p>{@link #close} (a reload, a shutdown) asks a run it started to stop at its next object: the run ends ABORTED
 * and the next run, on whichever instance takes the trigger, goes on from the cursor.
 *
 * <p>{@link #tick} does the scheduling (renew or take the trigger leases, start due runs); {@link #start} runs it
 * every second on a thread of its own, and runs jobs on another, so a long run never holds up the heartbeat. Tests
 * drive it on an injected clock.
 */
public final class SyncTriggers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncTriggers.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    /** At most this many events are consumed by one run; more run the job again. */
    private static final int BATCH = 1000;

    private final SyncService sync;
    private final InboxStore inbox;
    private final SyncTriggerEvents events;
    private final WorkLeases leases;
    private final Clock clock;
    private final Executor runThread;
    private final ExecutorService ownRunThread;
    private final Map<String, Trigger> triggers = new LinkedHashMap<>();
    private final Runnable listener = this::inboxChanged;
    private ScheduledExecutorService ticker;
    private volatile boolean subscribed;
    private volatile boolean stopped;

    /** Triggers for every job of {@code sync} that has one, running jobs on a thread of their own. */
    public SyncTriggers(SyncService sync, Clock clock) {
        this(sync, null, clock);
    }

    /** @param runThread where runs happen; tests pass {@code Runnable::run} to run inside {@link #tick} */
    SyncTriggers(SyncService sync, Executor runThread, Clock clock) {
        this.sync = sync;
        this.inbox = sync.store().inbox();
        this.events = sync.store().syncTriggerEvents();
        this.leases = sync.store().leases();
        this.clock = clock;
        this.ownRunThread = runThread == null ? Executors.newSingleThreadExecutor(daemon("switchboard-sync")) : null;
        this.runThread = runThread == null ? ownRunThread : runThread;
        Instant now = clock.instant();
        for (SyncJobSpec job : sync.jobs()) {
            if (job.trigger().interval() != null || !job.trigger().events().isEmpty()) {
                triggers.put(job.name(), new Trigger(job, now));
            }
        }
    }

    public static String leaseName(String job) {
        return "sync-trigger:" + job;
    }

    /** Subscribes the jobs triggered by events and starts ticking every second. */
    public synchronized void start() {
        subscribe();
        if (ticker != null || triggers.isEmpty()) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("switchboard-sync-triggers"));
        ticker.scheduleWithFixedDelay(this::tickQuietly, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        // A local append wakes the ticker at once; an append on another instance is found by the next tick.
        if (triggers.values().stream().anyMatch(Trigger::byEvents)) {
            inbox.addListener(listener);
        }
    }

    /**
     * Makes the stored subscriptions those of this instance's jobs (once; again on the next tick should the store
     * have failed), so jobs removed from the configuration stop collecting events.
     */
    private void subscribe() {
        if (subscribed) {
            return;
        }
        Map<String, SyncTriggerEvents.Subscription> byJob = new TreeMap<>();
        triggers.values().stream().filter(Trigger::byEvents).forEach(trigger -> byJob.put(trigger.job.name(),
                new SyncTriggerEvents.Subscription(trigger.job.source(), trigger.job.trigger().events())));
        events.subscribe(byJob);
        subscribed = true;
    }

    private void inboxChanged() {
        try {
            ticker.execute(this::tickQuietly);
        } catch (RejectedExecutionException stopping) {
            // closing: the next holder of the triggers runs the jobs
        }
    }

    /** One pass of the ticker. */
    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("Sync trigger tick failed: {}", e.getMessage());
        }
    }

    /**
     * One scheduling pass: renew the trigger leases this instance holds when a heartbeat is due, try to take free
     * or expired ones, and start the runs that are due on jobs whose trigger this instance holds: by schedule, at a
     * takeover, or for the events stored for the job. Events are looked for on every pass, not only when this process
     * appends: in a cluster the webhook that triggers a job may reach another instance than the one holding the
     * job's trigger.
     */
    public void tick() {
        subscribe();
        for (Trigger trigger : triggers.values()) {
            if (stopped) {
                return;
            }
            trigger.tick(clock.instant());
        }
    }

    /** Whether this instance holds the trigger of {@code job}, for status and tests. */
    public boolean holds(String job) {
        Trigger trigger = triggers.get(job);
        return trigger != null && trigger.holding();
    }

    @Override
    public void close() {
        stopped = true;
        inbox.removeListener(listener);
        synchronized (this) {
            if (ticker != null) {
                ticker.shutdown();
                SyncService.awaitQuietly(ticker);
            }
        }
        if (ownRunThread != null) {
            // A reload closes the triggers while the store stays in use: a run in progress stops at its next object
            // (stopped is set), never interrupted, as H2 closes the whole database when a thread is interrupted
            // mid-write.
            ownRunThread.shutdown();
            SyncService.awaitQuietly(ownRunThread);
        }
        triggers.values().forEach(Trigger::release);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One job's trigger on this instance. Its fields are guarded by {@code this}. */
    private final class Trigger {

        private final SyncJobSpec job;
        private final String leaseName;
        private Lease lease;
        private Instant nextAcquireAt;
        private Instant nextRenewAt;
        private Instant nextRunAt;
        private String due;
        private boolean running;

        Trigger(SyncJobSpec job, Instant now) {
            this.job = job;
            this.leaseName = leaseName(job.name());
            this.nextAcquireAt = now;
        }

        boolean byEvents() {
            return !job.trigger().events().isEmpty();
        }

        synchronized boolean holding() {
            return lease != null;
        }

        void tick(Instant now) {
            String cause;
            List<Long> consumes;
            synchronized (this) {
                try {
                    holdLease(now);
                } catch (RuntimeException e) {
                    LOG.warn("Sync trigger of job {} could not reach its lease: {}", job.name(), e.getMessage());
                    return;
                }
                if (lease == null || running) {
                    return;
                }
                List<Long> dueEvents = List.of();
                try {
                    dueEvents = byEvents() ? events.pending(job.name(), BATCH) : List.of();
                } catch (RuntimeException e) {
                    LOG.warn("Sync trigger of job {} could not read its events: {}", job.name(), e.getMessage());
                }
                if (due == null && !dueEvents.isEmpty()) {
                    due = "event";
                }
                if (due == null && nextRunAt != null && !now.isBefore(nextRunAt)) {
                    due = "schedule";
                }
                if (due == null) {
                    return;
                }
                cause = due;
                consumes = dueEvents;
                due = null;
                running = true;
            }
            try {
                runThread.execute(() -> run(cause, consumes));
            } catch (RejectedExecutionException stopping) {
                synchronized (this) {
                    running = false;
                }
            }
        }

        private void holdLease(Instant now) {
            Duration heartbeat = sync.settings().heartbeat();
            if (lease != null && !now.isBefore(nextRenewAt)) {
                if (lease.renew()) {
                    nextRenewAt = now.plus(heartbeat);
                } else {
                    LOG.info("Sync trigger of job {} was taken over by another instance", job.name());
                    lease = null;
                    due = null;
                    nextAcquireAt = now.plus(heartbeat);
                }
            }
            if (lease == null && !now.isBefore(nextAcquireAt)) {
                nextAcquireAt = now.plus(heartbeat);
                lease = leases.tryAcquire(leaseName, sync.instance(), sync.settings().lease()).orElse(null);
                if (lease == null) {
                    nextAcquireAt = leases.retryAt(leaseName, nextAcquireAt);
                } else {
                    nextRenewAt = now.plus(heartbeat);
                    nextRunAt = job.trigger().interval() == null ? null : now.plus(job.trigger().interval());
                    LOG.info("Sync job {} is triggered by this instance ({})", job.name(), sync.instance());
                    if (sync.lastApplyUnfinished(job.name())) {
                        due = "takeover of an unfinished run";
                    }
                }
            }
        }

        /**
         * Runs the job, then deletes the stored events it ran for: each committed before the run started, so the run
         * reads the change it announces. When another instance runs the job the events stay, for the next tick.
         */
        private void run(String cause, List<Long> consumes) {
            boolean busy = false;
            try {
                if (stopped) {
                    return;
                }
                Optional<SyncReport> report = sync.tryApply(job.name(), SyncService.Scope.INCREMENTAL, () -> stopped);
                busy = report.isEmpty();
                if (!busy && !consumes.isEmpty()) {
                    events.consume(job.name(), consumes);
                }
                report.map(SyncReport::run).ifPresent(run -> LOG.info("Sync job {} ran ({}): {} created, {} updated, "
                                + "{} unchanged, {} skipped, {} failed; {}", job.name(), cause, run.created(),
                        run.updated(), run.unchanged(), run.skipped(), run.failed(), run.status()));
            } catch (RuntimeException e) {
                LOG.warn("Sync job {} could not run ({}): {}", job.name(), cause, e.getMessage());
            } finally {
                synchronized (this) {
                    running = false;
                    if (busy && lease != null && due == null) {
                        due = cause; // another instance runs the job right now: ask again at the next tick
                    }
                    if (job.trigger().interval() != null) {
                        nextRunAt = clock.instant().plus(job.trigger().interval());
                    }
                }
            }
        }

        synchronized void release() {
            if (lease != null) {
                try {
                    lease.release();
                } catch (RuntimeException e) {
                    LOG.debug("Sync trigger lease of job {} not released: {}", job.name(), e.getMessage());
                }
                lease = null;
            }
        }
    }
}
