package dev.switchboard.core.sync;

import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Runs and per-object outcomes in {@code sync_run} / {@code sync_outcome}, and identity-map look-ups the engine needs. */
final class SyncRunStore {

    private static final String RUN_COLUMNS =
            "id, job, mode, status, started_at, finished_at, created, updated, unchanged, skipped, failed, error";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    SyncRunStore(Store store) {
        this.jdbc = store.jdbc();
        this.tx = store.transactions();
    }

    /** Records a new run, held by {@code instance} until {@code leaseUntil} unless {@linkplain #renew renewed}. */
    void start(SyncRun run, InstanceId instance, Instant leaseUntil) {
        jdbc.update("INSERT INTO sync_run (id, job, mode, status, started_at, holder, node, lease_until) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                run.id(), run.job(), run.mode().name(), run.status().name(), Timestamp.from(run.startedAt()),
                instance.holder(), instance.node(), Timestamp.from(leaseUntil));
    }

    /**
     * The heartbeat: extends to {@code leaseUntil} the lease of the runs {@code runIds} that {@code instance} still
     * has RUNNING. Only the runs in progress, by id: a run whose worker ended without recording its end (an Error, a
     * store that failed at that moment) is not renewed, so it is aborted a lease later like a dead instance's run.
     */
    int renew(Collection<String> runIds, InstanceId instance, Instant leaseUntil) {
        if (runIds.isEmpty()) {
            return 0;
        }
        String marks = String.join(", ", Collections.nCopies(runIds.size(), "?"));
        List<Object> args = new ArrayList<>(List.of(Timestamp.from(leaseUntil), instance.holder(),
                SyncRun.Status.RUNNING.name()));
        args.addAll(runIds);
        return jdbc.update("UPDATE sync_run SET lease_until = ? WHERE holder = ? AND status = ? AND id IN (" + marks
                + ")", args.toArray());
    }

    /**
     * Where an object that FAILED came from and who refused it, for its dead letter.
     *
     * @param model     its model at the source
     * @param version   its version at the source
     * @param refusedBy the connection whose call failed: the target, or the store an artifact copy could not use
     */
    record Failure(String model, String version, String refusedBy) {
    }

    /**
     * How an applied run files its failed objects as dead letters.
     *
     * @param job      the job
     * @param failures by object key, for each FAILED outcome being recorded
     * @param at       now
     */
    record Filing(String job, Map<String, Failure> failures, Instant at) {
    }

    /**
     * Records outcomes and adds them to the run's counts in one transaction, so a run's summary is its recorded
     * outcomes at every moment: while it runs, after it was killed, and after another instance took the job over.
     * With a {@code filing} (applied runs), the same transaction files each FAILED object as a sync dead letter and
     * resolves the open dead letter of each object that now synced, so an outcome never stands without its dead letter.
     */
    void record(String runId, List<SyncOutcome> outcomes, Filing filing) {
        if (outcomes.isEmpty()) {
            return;
        }
        Map<SyncOutcome.Kind, Long> counts = new EnumMap<>(SyncOutcome.Kind.class);
        outcomes.forEach(o -> counts.merge(o.kind(), 1L, Long::sum));
        tx.executeWithoutResult(status -> {
            jdbc.batchUpdate("INSERT INTO sync_outcome (run_id, object_key, outcome, reason, fidelity) "
                    + "VALUES (?, ?, ?, ?, ?)", outcomes.stream().map(o -> new Object[] {runId, o.objectKey(),
                    o.kind().name(), o.reason(), o.fidelity().isEmpty() ? null : o.fidelity().stream()
                    .map(FidelityGap::toString).collect(Collectors.joining("\n"))}).toList());
            jdbc.update("UPDATE sync_run SET created = created + ?, updated = updated + ?, unchanged = unchanged + ?, "
                            + "skipped = skipped + ?, failed = failed + ? WHERE id = ?",
                    counts.getOrDefault(SyncOutcome.Kind.CREATED, 0L), counts.getOrDefault(SyncOutcome.Kind.UPDATED, 0L),
                    counts.getOrDefault(SyncOutcome.Kind.UNCHANGED, 0L),
                    counts.getOrDefault(SyncOutcome.Kind.SKIPPED, 0L), counts.getOrDefault(SyncOutcome.Kind.FAILED, 0L),
                    runId);
            if (filing != null) {
                file(runId, outcomes, filing);
            }
        });
    }

    /**
     * One open sync dead letter per job and object: a failure files a new one or updates the open one's reason and
     * run; CREATED, UPDATED or UNCHANGED resolves the open one. One query for the job's open ones per batch (usually
     * none), then a statement per object that has or needs one.
     */
    private void file(String runId, List<SyncOutcome> outcomes, Filing filing) {
        String stage = DeadLetter.Stage.SYNC.code();
        Map<String, Long> open = new java.util.HashMap<>();
        jdbc.query("SELECT id, object_key FROM dead_letter WHERE sync_job = ? AND replayed_at IS NULL AND stage = ?",
                (java.sql.ResultSet row) -> {
                    open.put(row.getString("object_key"), row.getLong("id"));
                }, filing.job(), stage);
        Timestamp at = Timestamp.from(filing.at());
        for (SyncOutcome outcome : outcomes) {
            Long id = open.get(outcome.objectKey());
            if (outcome.kind() == SyncOutcome.Kind.FAILED) {
                Failure failure = filing.failures().get(outcome.objectKey());
                String refusedBy = failure == null ? null : failure.refusedBy();
                if (id != null) {
                    jdbc.update("UPDATE dead_letter SET reason = ?, sync_run_id = ?, connection_name = ? WHERE id = ?",
                            outcome.reason(), runId, refusedBy, id);
                } else {
                    jdbc.update("INSERT INTO dead_letter (stage, connection_name, reason, created_at, sync_job, "
                                    + "sync_run_id, object_key, object_model, object_version) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", stage, refusedBy, outcome.reason(), at,
                            filing.job(), runId, outcome.objectKey(), failure == null ? null : failure.model(),
                            failure == null ? null : failure.version());
                }
            } else if (id != null && outcome.kind() != SyncOutcome.Kind.SKIPPED) {
                jdbc.update("UPDATE dead_letter SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL", at, id);
            }
        }
    }

    /** Records a running run's progress (after each batch of outcomes). */
    void progress(String runId, long done, long total) {
        jdbc.update("UPDATE sync_run SET objects_done = ?, objects_total = ? WHERE id = ?", done, total, runId);
    }

    Optional<SyncProgress> progress(String runId, Instant now) {
        return jdbc.query("SELECT id, status, started_at, finished_at, objects_done, objects_total, created + updated "
                + "+ unchanged + skipped + failed AS counted FROM sync_run WHERE id = ?", (row, n) -> {
            SyncRun.Status status = SyncRun.Status.valueOf(row.getString("status"));
            long done = status == SyncRun.Status.RUNNING ? row.getLong("objects_done") : row.getLong("counted");
            long totalValue = row.getLong("objects_total");
            Long total;
            if (!row.wasNull()) {
                total = Math.max(totalValue, done);
            } else {
                total = status == SyncRun.Status.RUNNING ? null : Long.valueOf(done);
            }
            Timestamp finished = row.getTimestamp("finished_at");
            Instant end = finished == null ? now : finished.toInstant();
            double seconds = Math.max(0.001, java.time.Duration.between(row.getTimestamp("started_at").toInstant(),
                    end).toMillis() / 1000.0);
            return new SyncProgress(row.getString("id"), status, done, total, done / seconds);
        }, runId).stream().findFirst();
    }

    /** The applied run of {@code job} that is RUNNING, if any (newest first). */
    Optional<SyncRun> running(String job) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM sync_run WHERE job = ? AND mode = ? AND status = ? "
                + "ORDER BY started_at DESC",
                this::mapRun, job, SyncRun.Mode.APPLY.name(), SyncRun.Status.RUNNING.name()).stream().findFirst();
    }

    /** Ends a run: its status, end and error; its counts are already those of its recorded outcomes. */
    void finish(SyncRun run) {
        jdbc.update("UPDATE sync_run SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                run.status().name(), Timestamp.from(run.finishedAt()), run.error(), run.id());
    }

    /**
     * Marks the runs of {@code job} still RUNNING whose instance is gone as ABORTED: their lease ran out unrenewed
     * (or they have none, from before runs had leases), or they were started by an earlier start of
     * {@code instance}'s node. A run whose instance is alive and renewing is never touched, whoever asks. Their
     * counts are taken from the outcomes they recorded before they stopped (a run killed mid-way reported
     * {@code created 0} beside the CREATED outcomes it had recorded).
     */
    int abortStale(String job, InstanceId instance, Instant now) {
        Timestamp at = Timestamp.from(now);
        String count = "(SELECT COUNT(*) FROM sync_outcome o WHERE o.run_id = sync_run.id AND o.outcome = ?)";
        return jdbc.update("UPDATE sync_run SET status = ?, finished_at = ?, error = ?, created = " + count
                        + ", updated = " + count + ", unchanged = " + count + ", skipped = " + count + ", failed = "
                        + count + " WHERE job = ? AND status = ? "
                        + "AND (lease_until IS NULL OR lease_until <= ? OR node = ? AND holder <> ?)",
                SyncRun.Status.ABORTED.name(), at, "the process running it stopped before the end",
                SyncOutcome.Kind.CREATED.name(), SyncOutcome.Kind.UPDATED.name(), SyncOutcome.Kind.UNCHANGED.name(),
                SyncOutcome.Kind.SKIPPED.name(), SyncOutcome.Kind.FAILED.name(), job, SyncRun.Status.RUNNING.name(),
                at, instance.node(), instance.holder());
    }

    /**
     * Whether the newest applied run of {@code job} has not finished: ABORTED, or still RUNNING, whether or not its
     * lease ran out yet. A trigger taken over from a dead instance usually comes before the lease of that instance's
     * run runs out (the leases are renewed apart); the new holder must still redo the run once it can, and its
     * attempt simply waits while the run's instance lives.
     */
    boolean lastApplyUnfinished(String job) {
        return jdbc.queryForList("SELECT status FROM sync_run WHERE job = ? AND mode = ? "
                        + "ORDER BY started_at DESC, id DESC FETCH FIRST 1 ROWS ONLY", String.class, job,
                SyncRun.Mode.APPLY.name()).stream()
                .anyMatch(status -> status.equals(SyncRun.Status.ABORTED.name())
                        || status.equals(SyncRun.Status.RUNNING.name()));
    }

    Page<SyncRun> runs(String job, PageRequest page) {
        int offset = page.pageToken() == null ? 0 : Integer.parseInt(page.pageToken());
        List<SyncRun> rows = jdbc.query("SELECT " + RUN_COLUMNS + " FROM sync_run WHERE job = ? "
                + "ORDER BY started_at DESC, id DESC OFFSET " + offset + " ROWS FETCH NEXT " + (page.pageSize() + 1)
                + " ROWS ONLY", this::mapRun, job);
        boolean more = rows.size() > page.pageSize();
        return new Page<>(more ? rows.subList(0, page.pageSize()) : rows,
                more ? String.valueOf(offset + page.pageSize()) : null);
    }

    Optional<SyncReport> report(String runId) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM sync_run WHERE id = ?", this::mapRun, runId).stream()
                .findFirst()
                .map(run -> new SyncReport(run, jdbc.query("SELECT object_key, outcome, reason, fidelity "
                        + "FROM sync_outcome WHERE run_id = ? ORDER BY object_key", this::mapOutcome, runId)));
    }

    private SyncRun mapRun(ResultSet row, int n) throws SQLException {
        Timestamp finished = row.getTimestamp("finished_at");
        return new SyncRun(row.getString("id"), row.getString("job"), SyncRun.Mode.valueOf(row.getString("mode")),
                SyncRun.Status.valueOf(row.getString("status")), row.getTimestamp("started_at").toInstant(),
                finished == null ? null : finished.toInstant(), row.getLong("created"), row.getLong("updated"),
                row.getLong("unchanged"), row.getLong("skipped"), row.getLong("failed"), row.getString("error"));
    }

    private SyncOutcome mapOutcome(ResultSet row, int n) throws SQLException {
        String fidelity = row.getString("fidelity");
        List<FidelityGap> gaps = new ArrayList<>();
        if (fidelity != null) {
            Arrays.stream(fidelity.split("\n")).forEach(line -> {
                int colon = line.indexOf(": ");
                gaps.add(new FidelityGap(Fidelity.Field.valueOf(line.substring(0, colon)), line.substring(colon + 2)));
            });
        }
        return new SyncOutcome(row.getString("object_key"), SyncOutcome.Kind.valueOf(row.getString("outcome")),
                row.getString("reason"), gaps);
    }
}
