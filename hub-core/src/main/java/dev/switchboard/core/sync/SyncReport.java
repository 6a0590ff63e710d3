package dev.switchboard.core.sync;

import java.util.List;

/**
 * A sync run with the outcome of every object it looked at, in the order it looked at them.
 *
 * @param run      the summary
 * @param outcomes one per object
 */
public record SyncReport(SyncRun run, List<SyncOutcome> outcomes) {

    public SyncReport {
        outcomes = List.copyOf(outcomes);
    }

    public List<SyncOutcome> outcomes(SyncOutcome.Kind kind) {
        return outcomes.stream().filter(o -> o.kind() == kind).toList();
    }
}
