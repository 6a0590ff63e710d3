package dev.switchboard.core.sync;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.SyncCompleted;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.net.URI;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

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
 * completes appends a {@code sync.completed} event to the inbox.
 *
 * <p><b>Concurrency.</b> Applies of one job are serialized in this JVM (a second caller waits, then finds the work
 * done). Across JVMs the design runs sync jobs on one elected hub instance; should two instances still run one job
 * at once, the idempotency key keeps the target free of duplicates. Plans take no lock: they write nothing.
 *
 * <p>Thread-safe.
 */
public final class SyncService {

    /** How much of the source a run reads. */
    public enum Scope {
        /** Versions changed since the job's cursor: the normal, cheap run. */
        INCREMENTAL,
        /** Every version, ignoring the cursor: reconciles everything (still writes only what differs). */
        FULL
    }

    // Per job name and JVM: sync jobs run on one hub instance, so an in-process lock serializes them.
    private static final ConcurrentMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Store store;
    private final ConnectionRegistry connections;
    private final Map<String, SyncJobSpec> jobs;
    private final Clock clock;
    private final SyncRunStore runs;
    private final ArtifactCopier artifacts;

    /**
     * @param store       the hub's store (runs, outcomes, identity map, cursors, inbox)
     * @param connections the open connections; also resolves artifact URIs for {@code copy} jobs
     * @param jobs        the jobs, valid by {@link dev.switchboard.core.config.SyncJobValidator}
     * @param clock       the hub's clock
     */
    public SyncService(Store store, ConnectionRegistry connections, Collection<SyncJobSpec> jobs, Clock clock) {
        this.store = store;
        this.connections = connections;
        Map<String, SyncJobSpec> byName = new TreeMap<>();
        jobs.forEach(job -> byName.put(job.name(), job));
        this.jobs = Collections.unmodifiableMap(byName);
        this.clock = clock;
        this.runs = new SyncRunStore(store);
        this.artifacts = new ArtifactCopier(connections);
    }

    /** The service for every job of {@code config}; each job is named by its key. */
    public static SyncService of(Store store, ConnectionRegistry connections, HubConfig config, Clock clock) {
        return new SyncService(store, connections, config.syncJobs().entrySet().stream()
                .map(e -> new SyncJobSpec(e.getKey(), e.getValue().source(), e.getValue().target(),
                        e.getValue().selection(), e.getValue().mapping(), e.getValue().artifacts(),
                        e.getValue().trigger(), e.getValue().pageSize()))
                .toList(), clock);
    }

    public Collection<SyncJobSpec> jobs() {
        return jobs.values();
    }

    /** @throws IllegalArgumentException naming the known jobs when there is no job {@code name} */
    public SyncJobSpec job(String name) {
        SyncJobSpec job = jobs.get(name);
        if (job == null) {
            throw new IllegalArgumentException("no sync job named \"" + name + "\"; configured: "
                    + (jobs.isEmpty() ? "(none)" : String.join(", ", jobs.keySet())));
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
        return runner(job(job), SyncRun.Mode.PLAN, scope).run();
    }

    /** Runs {@code job} incrementally: everything changed at the source since the last applied run. */
    public SyncReport apply(String job) {
        return apply(job, Scope.INCREMENTAL);
    }

    /**
     * Runs {@code job}: brings the target in step and returns every object's outcome. Waits while another apply of
     * the same job runs in this JVM.
     *
     * @throws IllegalArgumentException when there is no such job
     * @throws CancellationException    when the thread is interrupted while waiting for the other run; an interrupt
     *                                  during the run ends it as {@link SyncRun.Status#ABORTED} instead
     */
    public SyncReport apply(String job, Scope scope) {
        SyncJobSpec spec = job(job);
        ReentrantLock lock = LOCKS.computeIfAbsent(spec.name(), name -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the running sync of job " + job);
        }
        try {
            runs.abortStale(spec.name(), clock.instant());
            SyncReport report = runner(spec, SyncRun.Mode.APPLY, scope).run();
            if (report.run().status() != SyncRun.Status.ABORTED) {
                announce(report.run());
            }
            return report;
        } finally {
            lock.unlock();
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

    private SyncRunner runner(SyncJobSpec job, SyncRun.Mode mode, Scope scope) {
        ConnectionRegistry.Entry target = entry(job.target());
        SyncRunner.Ends ends = new SyncRunner.Ends(registry(entry(job.source())), job.source(), registry(target),
                job.target(), target.connector().fidelity(), artifacts);
        return new SyncRunner(job, mode, scope == Scope.FULL, store, runs, ends, clock);
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
