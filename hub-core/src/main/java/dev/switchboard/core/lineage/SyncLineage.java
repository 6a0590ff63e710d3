package dev.switchboard.core.lineage;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.delivery.ActionCall;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.store.IdentityMap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.SyncCompleted;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sync runs as OpenLineage runs: a START before each applied run of a job and a COMPLETE (every object went through)
 * or FAIL (an object failed, or the run was aborted) after it, sent to an {@code openlineage} connection <b>through
 * the outbox</b>, so they are retried like any delivery and never dropped, and delivered in order (one subject per
 * job). The COMPLETE or FAIL names the run's source model versions as inputs and their copies at the target (from the
 * identity map) as outputs, as {@code switchboard://<connection>/<kind>/<native id>}.
 *
 * <p>Each delivery's event is the run's {@code sync.completed} summary (with zero counts for the START); the
 * OpenLineage run id is new for each run, and the hub's run id is in the COMPLETE's summary.
 */
public final class SyncLineage implements SyncService.RunListener {

    /** The action of the {@code openlineage} connector that posts a RunEvent. */
    public static final String ACTION = "emit-run-event";

    private final Outbox outbox;
    private final IdentityMap identities;
    private final String connection;
    /** The OpenLineage run of each job's run in progress here (a job runs once at a time: it holds a lease). */
    private final Map<String, UUID> running = new ConcurrentHashMap<>();

    public SyncLineage(Outbox outbox, IdentityMap identities, String connection) {
        this.outbox = outbox;
        this.identities = identities;
        this.connection = connection;
    }

    @Override
    public void starting(SyncJobSpec job, Instant at) {
        UUID run = UUID.randomUUID();
        running.put(job.name(), run);
        enqueue(job, run, "START", at, new SyncCompleted(job.name(), run.toString(), 0, 0, 0, 0, 0), List.of(), List.of());
    }

    @Override
    public void finished(SyncJobSpec job, SyncReport report) {
        SyncRun run = report.run();
        UUID lineageRun = running.remove(job.name());
        if (lineageRun == null) {
            lineageRun = UUID.randomUUID();
        }
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        for (SyncOutcome outcome : report.outcomes()) {
            if (outcome.kind() == SyncOutcome.Kind.SKIPPED || outcome.kind() == SyncOutcome.Kind.FAILED) {
                continue;
            }
            String[] key = outcome.objectKey().split(":", 3);
            if (key.length < 3) {
                continue; // not a connection's object
            }
            inputs.add(dataset(key[0], key[1], key[2]));
            identities.find(ResourceRef.of("sync", key[0], key[1], key[2]), job.target()).ifPresent(link ->
                    outputs.add(dataset(link.targetConnection(), link.targetKind(), link.targetNativeId())));
        }
        String type = run.status() == SyncRun.Status.COMPLETED ? "COMPLETE" : "FAIL";
        Instant at = run.finishedAt() == null ? run.startedAt() : run.finishedAt();
        enqueue(job, lineageRun, type, at, new SyncCompleted(run.job(), run.id(), run.created(), run.updated(),
                run.unchanged(), run.skipped(), run.failed()), inputs, outputs);
    }

    private static String dataset(String connection, String kind, String nativeId) {
        return "switchboard://" + connection + "/" + kind + "/" + nativeId;
    }

    private void enqueue(SyncJobSpec job, UUID run, String type, Instant at, SyncCompleted summary, List<String> inputs,
                         List<String> outputs) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("event-type", type);
        parameters.put("job", "sync/" + job.name());
        parameters.put("run-id", run.toString());
        parameters.put("event-time", at.toString());
        if (!inputs.isEmpty()) {
            parameters.put("inputs", String.join(",", inputs));
        }
        if (!outputs.isEmpty()) {
            parameters.put("outputs", String.join(",", outputs));
        }
        CanonicalEvent event = new CanonicalEvent("openlineage-" + run + "-" + type, URI.create("/sync-jobs/" + job.name()),
                EventType.SYNC_COMPLETED, "sync-jobs/" + job.name(), at, summary);
        outbox.enqueue(new ActionCall(connection, ACTION, parameters, event, null, null,
                "openlineage:" + run + ":" + type));
    }
}
