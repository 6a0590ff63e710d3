package dev.switchboard.core.sync;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A sync run with the outcome of every object it looked at, in the order it looked at them.
 *
 * @param run      the summary
 * @param outcomes one per object
 */
public record SyncReport(SyncRun run, List<SyncOutcome> outcomes) {

    /**
     * The versions the job's selection left out, as one line: a registry of 1,300 versions with 4 selected is 4
     * outcomes and this, not 1,300 rows.
     *
     * @param count    how many
     * @param byReason how many per reason, the model name taken out of per-model reasons so they merge
     */
    public record NotSelected(long count, Map<String, Long> byReason) {

        public NotSelected {
            byReason = Map.copyOf(byReason);
        }

        /** {@code 1302 version(s) not selected (1300 has none of the aliases [champion]; 2 model matches none …)}. */
        public String describe() {
            return count + " version(s) not selected (" + new TreeMap<>(byReason).entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining("; ")) + ")";
        }
    }

    public SyncReport {
        outcomes = List.copyOf(outcomes);
    }

    public List<SyncOutcome> outcomes(SyncOutcome.Kind kind) {
        return outcomes.stream().filter(o -> o.kind() == kind).toList();
    }

    /** Every outcome but those of versions the selection left out (see {@link #notSelected()}). */
    public List<SyncOutcome> selectedOutcomes() {
        return outcomes.stream().filter(o -> !o.notSelected()).toList();
    }

    /** The versions the selection left out, counted per reason. */
    public NotSelected notSelected() {
        Map<String, Long> byReason = outcomes.stream().filter(SyncOutcome::notSelected).collect(Collectors.groupingBy(
                o -> o.reason().substring(SyncOutcome.NOT_SELECTED.length()).replaceFirst("^model \\S+ ", "model "),
                TreeMap::new, Collectors.counting()));
        return new NotSelected(byReason.values().stream().mapToLong(Long::longValue).sum(), byReason);
    }
}
