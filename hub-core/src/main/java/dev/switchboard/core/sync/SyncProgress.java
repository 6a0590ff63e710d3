package dev.switchboard.core.sync;

/**
 * How far a sync run has got, as the API and the CLI show it while it runs.
 *
 * @param runId     the run
 * @param status    where it stands
 * @param done      objects with an outcome so far (for a finished run, all of them)
 * @param total     objects the run knows it will look at: the source's listing once read (the alias and tag sweeps
 *                  may add a few); null while the listing is still being read
 * @param perSecond objects per second since the run started (up to its end, for a finished run)
 */
public record SyncProgress(String runId, SyncRun.Status status, long done, Long total, double perSecond) {
}
