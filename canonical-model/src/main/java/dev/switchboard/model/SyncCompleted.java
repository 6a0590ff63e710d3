package dev.switchboard.model;

/**
 * A sync job run finished. The counts add up to every object the run looked at; a run with failures
 * is still {@code sync.completed}, with {@code failed > 0}.
 *
 * @param job       the sync job's name
 * @param runId     the run's id in the hub
 * @param created   objects created at the target
 * @param updated   objects updated at the target
 * @param unchanged objects already in step
 * @param skipped   objects skipped, each with a reason in the run's report
 * @param failed    objects that failed, each with a reason in the run's report
 */
public record SyncCompleted(String job, String runId, long created, long updated, long unchanged, long skipped,
                            long failed) implements EventData {

    public SyncCompleted {
        Checks.requireText("job", job);
        Checks.requireText("runId", runId);
        Checks.requireNonNegative("created", created);
        Checks.requireNonNegative("updated", updated);
        Checks.requireNonNegative("unchanged", unchanged);
        Checks.requireNonNegative("skipped", skipped);
        Checks.requireNonNegative("failed", failed);
    }
}
