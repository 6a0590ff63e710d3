package dev.switchboard.core.sync;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.WorkLeases;
import dev.switchboard.core.store.WorkLeases.Lease;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.SyncCompleted;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine's API: plans and applies the declared sync jobs, and reports their runs. The CLI, the REST API and
 * {@link SyncTriggers} call it; it is plain Java, built from a {@link Store} and the open connections.
 *
 * <p><b>What a run does.</b> It lists the source's model versions changed since the job's cursor (every version for
 * {@link Scope#FULL}), page by page, and gives each exactly one {@link SyncOutcome}. A version that is not selected,
 * or that is itself a copy a sync made (so {@code A → B} and {@code B → A} jobs do not ping-pong), is
 * {@code SKIPPED}. Otherwise it is mapped to the state it should have at the target; when the identity map holds a
 * link with the same fingerprint, it is {@code UNCHANGED} without a single call to the target. Else the target is
 * asked for the version made from this source object ({@link ModelRegistry#findByExternalRef}); an existing one is
 * brought in step ({@code UPDATED}), a missing one created with an idempotency key derived from the job and the
 * source object ({@code CREATED}), and the link is recorded with the new fingerprint. A failure of one object is
 * its {@code FAILED} outcome and the run goes on.
 *
 * <p><b>Guarantees.</b> Re-running, retrying after a crash, or running twice at once never makes a second target
 * object: the link, the external reference and the idempotency key each find the first. The cursor moves only at
 * the end of an applied run, after the target acknowledged every write, and never past a version that failed, so a
 * crash repeats work and never skips it. A run that stops early is {@link SyncRun.Status#ABORTED}; a run with a
 * failure is {@link SyncRun.Status#COMPLETED_WITH_FAILURES}, never plain {@code COMPLETED}. Each applied run that
 * completes appends a {@code sync.completed} event to the inbox. Each object that FAILED in an applied run is a
 * {@linkplain dev.switchboard.core.delivery.DeadLetter.Stage#SYNC sync dead letter}, written with its outcome;
 * {@link #replay} syncs it alone again.
 *
 * <p><b>Concurrency.</b> One applied run per job at a time, across every instance on the store: an apply holds the
 * job's {@linkplain WorkLeases lease} {@code sync:<job>} while it runs (threads of one instance also queue in
 * process, as the lease belongs to the instance). Every run, plans included, also records its instance and a lease
 * in its {@code sync_run} row. A heartbeat renews both every {@link Settings#heartbeat()}, so the leases are short:
 * another instance starting the job marks a run ABORTED only once its lease ran out unrenewed (its instance died, or
 * its worker ended without recording its end: only runs in progress are renewed, by id; the new run then goes on from
 * the cursor), never while it goes on. An instance that lost the job's lease (it stalled past it and another took
 * over) stops its run at the next object, ABORTED; so does a run whose caller asks it to stop (the triggers, at a
 * reload) and every run at {@link #close}. Should two runs still overlap, the idempotency key keeps the target free
 * of duplicates.
 *
 * <p>Thread-safe.
 */
public final class SyncService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncService.class);

    /** How long closing waits for runs, and then for a heartbeat, to end ({@link #close}, {@link SyncTriggers}). */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** How much of the source a run reads. */
    public enum Scope {
        /** Versions changed since the job's cursor: the normal, cheap run. */
        INCREMENTAL,
        /** Every version, ignoring the cursor: reconciles everything (still writes only what differs). */
        FULL
    }

    /**
     * How runs hold their leases.
     *
     * @param lease     how long a run's and a job's lease last without renewal: a dead instance's run is taken
     *                  over this long after its last heartbeat
     * @param heartbeat how often a running instance renews, at most a third of {@code lease}
     */
    public record Settings(Duration lease, Duration heartbeat) {

        public static final Settings DEFAULTS = new Settings(WorkLeases.DEFAULT_LEASE, Duration.ofSeconds(5));

        public Settings {
            if (lease == null || heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()
                    || heartbeat.multipliedBy(3).compareTo(lease) > 0) {
                throw new IllegalArgumentException("heartbeat must be positive and at most a third of lease, but was "
                        + heartbeat + " with lease " + lease);
            }
        }
    }

    /** An applied run in progress on this instance, with the job's lease it holds. */
    private record Active(Lease lease, AtomicBoolean lost) {
    }

    private final Store store;
    private final ConnectionRegistry connections;
    /** Replaced whole when the configuration is reloaded ({@link #replaceJobs}); runs in progress keep their spec. */
    private volatile Map<String, SyncJobSpec> jobs;
    private final Clock clock;
    private final SyncRunStore runs;
    private final ArtifactCopier artifacts;
    private final InstanceId instance;
    private final Settings settings;
    /**
     * Runs of one job on this instance queue here: the job's lease admits the instance, not a thread. A permit rather
     * than a lock, as an asynchronous run ({@link #start}) takes it on the caller's thread and gives it back on the
     * thread that ran it.
     */
    private final ConcurrentMap<String, Semaphore> gates = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-sync-run");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    /**
     * The ids of the runs (plans included) going on in this process: the heartbeat renews these and no others, so a
     * run whose worker ended without recording its end is not kept alive by it.
     */
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    /** Set by {@link #close}: every run in progress stops at its next object. */
    private volatile boolean closing;
    private final List<RunListener> runListeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService heartbeats;

    /**
     * @param store       the hub's store (runs, outcomes, identity map, cursors, inbox)
     * @param connections the open connections; also resolves artifact URIs for {@code copy} jobs
     * @param jobs        the jobs, valid by {@link dev.switchboard.core.config.SyncJobValidator}
     * @param clock       the hub's clock
     */
    public SyncService(Store store, ConnectionRegistry connections, Collection<SyncJobSpec> jobs, Clock clock) {
        this(store, connections, jobs, InstanceId.newStart(null), Settings.DEFAULTS, clock);
    }

    /**
     * @param instance who runs here, as leases and runs record it
     * @param settings the leases' duration and heartbeat
     */
    public SyncService(Store store, ConnectionRegistry connections, Collection<SyncJobSpec> jobs, InstanceId instance,
                       Settings settings, Clock clock) {
        this.store = store;
        this.instance = instance;
        this.settings = settings;
        this.connections = connections;
        this.jobs = byName(jobs);
        this.clock = clock;
        this.runs = new SyncRunStore(store);
        this.artifacts = new ArtifactCopier(connections);
    }

    /** The service for every job of {@code config}, as an anonymous instance; each job is named by its key. */
    public static SyncService of(Store store, ConnectionRegistry connections, HubConfig config, Clock clock) {
        return of(store, connections, config, InstanceId.newStart(null), clock);
    }

    /** The service for every job of {@code config}, running as {@code instance} with the default leases. */
    public static SyncService of(Store store, ConnectionRegistry connections, HubConfig config, InstanceId instance,
                                 Clock clock) {
        return new SyncService(store, connections, config.syncJobs().entrySet().stream()
                .map(e -> new SyncJobSpec(e.getKey(), e.getValue().source(), e.getValue().target(),
                        e.getValue().selection(), e.getValue().mapping(), e.getValue().artifacts(),
                        e.getValue().trigger(), e.getValue().pageSize()))
                .toList(), instance, Settings.DEFAULTS, clock);
    }

    /** The instance this service runs as. */
    public InstanceId instance() {
        return instance;
    }

    public Settings settings() {
        return settings;
    }

    Store store() {
        return store;
    }

    /** The name of the lease an applied run of {@code job} holds. */
    public static String leaseName(String job) {
        return "sync:" + job;
    }

    public Collection<SyncJobSpec> jobs() {
        return jobs.values();
    }

    /**
     * Takes a new set of jobs (the configuration file was reloaded): runs from now on use them; a run in progress
     * finishes with the spec it started with, unless its caller stops it ({@link SyncTriggers#close}). The jobs must
     * be valid by
     * {@link dev.switchboard.core.config.SyncJobValidator}.
     */
    public void replaceJobs(Collection<SyncJobSpec> replacement) {
        jobs = byName(replacement);
    }

    private static Map<String, SyncJobSpec> byName(Collection<SyncJobSpec> jobs) {
        Map<String, SyncJobSpec> byName = new TreeMap<>();
        jobs.forEach(job -> byName.put(job.name(), job));
        return Collections.unmodifiableMap(byName);
    }

    /** @throws IllegalArgumentException naming the known jobs when there is no job {@code name} */
    public SyncJobSpec job(String name) {
        Map<String, SyncJobSpec> all = jobs;
        SyncJobSpec job = all.get(name);
        if (job == null) {
            throw new IllegalArgumentException("no sync job named \"" + name + "\"; configured: "
                    + (all.isEmpty() ? "(none)" : String.join(", ", all.keySet())));
        }
        return job;
    }

    /** What an incremental {@link #apply(String)} would do now, without writing to the target. */
    public SyncReport plan(String job) {
        return plan(job, Scope.INCREMENTAL);
    }

    /**
     * What {@link #apply(String, Scope)} would do now: the outcome each object would get, with the fields that would
     * change. Reads the source and the target and writes nothing to the target; the plan is kept as a run of mode
     * {@link SyncRun.Mode#PLAN}. The cursor does not move.
     */
    public SyncReport plan(String job, Scope scope) {
        return track(runner(job(job), SyncRun.Mode.PLAN, scope, null, () -> false, () -> false));
    }

    /** Runs {@code job} incrementally: everything changed at the source since the last applied run. */
    public SyncReport apply(String job) {
        return apply(job, Scope.INCREMENTAL);
    }

    /**
     * Runs {@code job}: brings the target in step and returns every object's outcome. While another run of the job
     * holds its lease (on this instance or another), waits for it, asking again every second.
     *
     * @throws IllegalArgumentException when there is no such job
     * @throws CancellationException    when the thread is interrupted while waiting for the other run; an interrupt
     *                                  during the run ends it as {@link SyncRun.Status#ABORTED} instead
     */
    public SyncReport apply(String job, Scope scope) {
        SyncJobSpec spec = job(job);
        return holding(spec, lease -> applyHolding(spec, scope, lease, () -> false));
    }

    /**
     * Syncs one object of a job again (replaying its {@linkplain dev.switchboard.core.delivery.DeadLetter.Stage#SYNC
     * sync dead letter}): an applied run that reads only that object from the source, under the job's lease like
     * {@link #apply}, so it waits for a running run of the job and never overlaps one. The run's outcome resolves the
     * object's dead letter (CREATED, UPDATED, UNCHANGED) or gives it the new reason (FAILED). The cursor does not move.
     *
     * @throws IllegalArgumentException when the job is no longer configured
     */
    public SyncReport replay(DeadLetter.SyncObject object) {
        SyncJobSpec spec = job(object.job());
        return holding(spec, lease -> {
            Active run = new Active(lease, new AtomicBoolean());
            return complete(spec, begin(spec, Scope.INCREMENTAL, object, run, () -> false), run);
        });
    }

    /** Runs {@code body} holding the job's lease, waiting for it while another run holds it. */
    private SyncReport holding(SyncJobSpec spec, java.util.function.Function<Lease, SyncReport> body) {
        Semaphore gate = gate(spec.name());
        try {
            gate.acquire();
            try {
                while (true) {
                    Optional<Lease> lease = store.leases().tryAcquire(leaseName(spec.name()), instance,
                            settings.lease());
                    if (lease.isPresent()) {
                        return body.apply(lease.get());
                    }
                    Thread.sleep(Math.min(1000, settings.heartbeat().toMillis()));
                }
            } finally {
                gate.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the running sync of job " + spec.name());
        }
    }

    /**
     * Runs {@code job} now if no other run of it holds its lease; empty when one does (on this instance or another),
     * which is then running it. {@link SyncTriggers} calls this and asks again later.
     */
    public Optional<SyncReport> tryApply(String job, Scope scope) {
        return tryApply(job, scope, () -> false);
    }

    /**
     * {@link #tryApply(String, Scope)}, stopping at the next object, ABORTED, once {@code stop} says so (the
     * triggers that started it are closed by a reload); the next run goes on from the cursor.
     */
    Optional<SyncReport> tryApply(String job, Scope scope, BooleanSupplier stop) {
        SyncJobSpec spec = job(job);
        Semaphore gate = gate(spec.name());
        if (!gate.tryAcquire()) {
            return Optional.empty();
        }
        try {
            return store.leases().tryAcquire(leaseName(spec.name()), instance, settings.lease())
                    .map(lease -> applyHolding(spec, scope, lease, stop));
        } finally {
            gate.release();
        }
    }

    /** A run of the job holds its lease (here or on another instance): runs of one job never overlap. */
    public static final class RunInProgress extends IllegalStateException {

        RunInProgress(String job, Optional<SyncRun> running) {
            super("sync job " + job + " is running already" + running.map(run -> " (run " + run.id() + ", started "
                    + run.startedAt() + ")").orElse("") + "; wait for it to finish (sync runs " + job + ")");
        }
    }

    /**
     * Starts an applied run of {@code job} and returns at once with the run, RUNNING; the run goes on on a thread
     * of its own, holding the job's lease, and reports its progress ({@link #progress}) as it goes.
     *
     * @throws RunInProgress            when another run of the job holds its lease (on this instance or another)
     * @throws IllegalArgumentException when there is no such job
     */
    public SyncRun start(String job, Scope scope) {
        SyncJobSpec spec = job(job);
        Semaphore gate = gate(spec.name());
        if (!gate.tryAcquire()) {
            throw new RunInProgress(spec.name(), runs.running(spec.name()));
        }
        try {
            Lease lease = store.leases().tryAcquire(leaseName(spec.name()), instance, settings.lease())
                    .orElseThrow(() -> new RunInProgress(spec.name(), runs.running(spec.name())));
            Active active = new Active(lease, new AtomicBoolean());
            SyncRun begun = null;
            try {
                SyncRunner runner = begin(spec, scope, null, active, () -> false);
                begun = runner.begin();
                inProgress.add(begun.id()); // renewed while it waits for its thread
                String id = begun.id();
                background.execute(() -> {
                    try {
                        complete(spec, runner, active);
                    } catch (RuntimeException e) {
                        LOG.warn("Sync run {} of job {} failed: {}", id, spec.name(), e.getMessage());
                    } finally {
                        gate.release();
                    }
                });
            } catch (RuntimeException e) {
                if (begun != null) {
                    inProgress.remove(begun.id()); // never ran: aborted a lease from now, as unrenewed
                }
                this.active.remove(spec.name());
                lease.close();
                throw e;
            }
            return begun;
        } catch (RuntimeException e) {
            gate.release();
            throw e;
        }
    }

    /**
     * How far a run has got: objects with an outcome, of those listed (when known), and the rate; for a finished run
     * its final counts. Empty when there is no such run.
     */
    public Optional<SyncProgress> progress(String runId) {
        return runs.progress(runId, clock.instant());
    }

    private Semaphore gate(String job) {
        return gates.computeIfAbsent(job, name -> new Semaphore(1));
    }

    /** Whether the newest applied run of {@code job} has not finished (it runs, its instance died, or it stopped). */
    boolean lastApplyUnfinished(String job) {
        return runs.lastApplyUnfinished(job);
    }

    /**
     * Told about every applied run of a job, on the applying thread: before it starts (a failure stops the apply)
     * and once it has ended, aborted runs included (OpenLineage's {@code SyncLineage}).
     */
    public interface RunListener {

        /** A run of {@code job} starts now ({@code at}). */
        void starting(SyncJobSpec job, Instant at);

        /** The run of {@code job} that {@link #starting} announced ended with {@code report}. */
        void finished(SyncJobSpec job, SyncReport report);
    }

    /** Adds a listener to every applied run from now on. */
    public void addRunListener(RunListener listener) {
        runListeners.add(listener);
    }

    private SyncReport applyHolding(SyncJobSpec spec, Scope scope, Lease lease, BooleanSupplier stop) {
        Active run = new Active(lease, new AtomicBoolean());
        return complete(spec, begin(spec, scope, null, run, stop), run);
    }

    /** Registers the run as active under its lease and builds its runner; stale runs of the job are aborted. */
    private SyncRunner begin(SyncJobSpec spec, Scope scope, DeadLetter.SyncObject only, Active run,
                             BooleanSupplier stop) {
        active.put(spec.name(), run);
        runs.abortStale(spec.name(), instance, clock.instant());
        Instant starting = clock.instant();
        runListeners.forEach(listener -> listener.starting(spec, starting));
        return runner(spec, SyncRun.Mode.APPLY, scope, only, run.lost()::get, stop);
    }

    /** Runs {@code runner} to its end, its run renewed by the heartbeat meanwhile. */
    private SyncReport track(SyncRunner runner) {
        String id = runner.begin().id();
        inProgress.add(id);
        try {
            return runner.run();
        } finally {
            inProgress.remove(id);
        }
    }

    /** Runs to the end, releases the lease, announces the run and says so at WARN when objects failed. */
    private SyncReport complete(SyncJobSpec spec, SyncRunner runner, Active run) {
        try (Lease lease = run.lease()) {
            SyncReport report = track(runner);
            SyncRun done = report.run();
            if (done.status() != SyncRun.Status.ABORTED) {
                announce(done);
            }
            if (done.failed() > 0 || done.status() == SyncRun.Status.ABORTED) {
                LOG.warn("Sync run {} of job {} ended {}: {} failed, {} created, {} updated{}{}", done.id(),
                        spec.name(), done.status(), done.failed(), done.created(), done.updated(),
                        done.error() == null ? "" : "; " + done.error(),
                        done.failed() > 0 ? "; each failed object is a dead letter (switchboard dlq list)" : "");
            }
            runListeners.forEach(listener -> listener.finished(spec, report));
            return report;
        } finally {
            active.remove(spec.name());
        }
    }

    /**
     * Renews the leases of the runs in progress here and of the jobs this instance applies; a job whose lease was
     * taken over has its run stopped. Runs every {@link Settings#heartbeat()} while anything runs; tests on an
     * injected clock call it.
     */
    void heartbeat() {
        runs.renew(List.copyOf(inProgress), instance, clock.instant().plus(settings.lease()));
        active.values().forEach(run -> {
            if (!run.lease().renew()) {
                run.lost().set(true);
            }
        });
    }

    /**
     * Asks every run in progress to stop at its next object (each ends ABORTED; the next run goes on from the
     * cursor), waits up to {@link #CLOSE_WAIT} for those started by {@link #start}, then stops the heartbeat. Nothing
     * is interrupted: H2 with {@code WRITE_DELAY=0} closes the whole database when a thread is interrupted while it
     * commits. A run still going after the wait loses its leases once these run out.
     */
    @Override
    public synchronized void close() {
        closing = true;
        background.shutdown();
        awaitQuietly(background);
        if (heartbeats != null) {
            heartbeats.shutdown();
            awaitQuietly(heartbeats);
        }
    }

    /**
     * Waits up to {@link #CLOSE_WAIT} for {@code executor}, shut down, to end its tasks; an interrupt of the caller
     * ends the wait and is kept.
     */
    static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The runs of {@code job} (plans and applies), newest first. */
    public Page<SyncRun> runs(String job, PageRequest page) {
        return runs.runs(job, page);
    }

    /** A run with the outcome of every object it looked at, by the run's id. */
    public Optional<SyncReport> run(String id) {
        return runs.report(id);
    }

    private void announce(SyncRun run) {
        SyncCompleted completed = new SyncCompleted(run.job(), run.id(), run.created(), run.updated(),
                run.unchanged(), run.skipped(), run.failed());
        store.inbox().append(List.of(new CanonicalEvent(run.id(), URI.create("/sync-jobs/" + run.job()),
                EventType.SYNC_COMPLETED, "sync-jobs/" + run.job(), run.finishedAt(), completed)));
    }

    private SyncRunner runner(SyncJobSpec job, SyncRun.Mode mode, Scope scope, DeadLetter.SyncObject only,
                              BooleanSupplier leaseLost, BooleanSupplier stop) {
        ConnectionRegistry.Entry target = entry(job.target());
        SyncRunner.Ends ends = new SyncRunner.Ends(registry(entry(job.source())), job.source(), registry(target),
                job.target(), target.connector().fidelity(), artifacts);
        startHeartbeat();
        return new SyncRunner(job, mode, scope == Scope.FULL, store, runs, ends,
                new SyncRunner.Holder(instance, settings.lease(), leaseLost, () -> closing || stop.getAsBoolean()),
                only, clock);
    }

    /** The heartbeat thread, started with the first run. */
    private synchronized void startHeartbeat() {
        if (heartbeats != null) {
            return;
        }
        heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-sync-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long millis = settings.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(() -> {
            try {
                heartbeat();
            } catch (RuntimeException e) {
                // The store is unreachable: the leases run out unless a later beat gets through.
                LOG.warn("Sync heartbeat of {} failed: {}", instance, e.getMessage());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    private ConnectionRegistry.Entry entry(String connection) {
        return connections.find(connection).orElseThrow(() -> ConnectorException.configuration(connection,
                "no connection named " + connection + " is open"));
    }

    private static ModelRegistry registry(ConnectionRegistry.Entry entry) {
        return entry.connection().modelRegistry().orElseThrow(() -> ConnectorException.configuration(
                entry.connection().name(), "connection " + entry.connection().name() + " has no model registry"));
    }
}
