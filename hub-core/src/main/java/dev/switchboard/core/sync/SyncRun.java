package dev.switchboard.core.sync;

import java.time.Instant;

/**
 * The summary of one run of a sync job. The counts add up to every object the run looked at.
 *
 * @param id         the run's id
 * @param job        the sync job's name
 * @param mode       {@link Mode#PLAN} (nothing written to the target) or {@link Mode#APPLY}
 * @param status     how the run ended, or {@link Status#RUNNING}
 * @param startedAt  when it started
 * @param finishedAt when it ended, or {@code null} while running
 * @param error      why an {@link Status#ABORTED} run stopped (the source could not be listed, it was interrupted),
 *                   or {@code null}
 */
public record SyncRun(String id, String job, Mode mode, Status status, Instant startedAt, Instant finishedAt,
                      long created, long updated, long unchanged, long skipped, long failed, String error) {

    /** Whether a run only planned or also wrote. */
    public enum Mode { PLAN, APPLY }

    /** How a run ended. */
    public enum Status {
        RUNNING,
        /** Every object ended CREATED, UPDATED, UNCHANGED or SKIPPED. */
        COMPLETED,
        /** The run went through, and at least one object FAILED; never reported as plain COMPLETED. */
        COMPLETED_WITH_FAILURES,
        /**
         * The run stopped before the end (interrupted, stopped by a reload or shutdown, crashed, or its process
         * died); objects it did not reach have no outcome and the cursor did not move, so the next run picks them up.
         */
        ABORTED
    }

    public long total() {
        return created + updated + unchanged + skipped + failed;
    }
}
