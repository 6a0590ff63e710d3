package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured quantity of a scenario: the baseline's and Switchboard's value per repetition, and the ratio
 * (Switchboard ÷ baseline) per repetition, so the spread of the ratio is the spread seen within one run.
 */
final class Metric {

    /** How a ratio is judged against its target. */
    enum Goal {
        /** The ratio must be at least the limit (throughput). */
        AT_LEAST,
        /** The ratio must be at most the limit (time, memory, calls). */
        AT_MOST,
        /** Switchboard's own median (not the ratio) must be at most the limit, e.g. heap growth in MiB. */
        ABSOLUTE_AT_MOST,
        /** Reported only. */
        NONE
    }

    final String name;
    final String unit;
    final Goal goal;
    final double limit;
    final String target;
    final List<Double> baseline = new ArrayList<>();
    final List<Double> switchboard = new ArrayList<>();
    final List<Double> ratios = new ArrayList<>();

    Metric(String name, String unit, Goal goal, double limit, String target) {
        this.name = name;
        this.unit = unit;
        this.goal = goal;
        this.limit = limit;
        this.target = target;
    }

    static Metric reported(String name, String unit) {
        return new Metric(name, unit, Goal.NONE, Double.NaN, "reported");
    }

    /** Adds one repetition; the ratio is Switchboard ÷ baseline (NaN when the baseline is 0). */
    Metric add(double baselineValue, double switchboardValue) {
        baseline.add(baselineValue);
        switchboard.add(switchboardValue);
        ratios.add(baselineValue == 0 ? Double.NaN : switchboardValue / baselineValue);
        return this;
    }

    double medianRatio() {
        return Stats.median(ratios.stream().filter(r -> !r.isNaN()).toList());
    }

    /** Whether the median ratio meets the target; null when there is no target or no ratio. */
    Boolean met() {
        if (goal == Goal.ABSOLUTE_AT_MOST) {
            double value = Stats.median(switchboard);
            return Double.isNaN(value) ? null : value <= limit;
        }
        double ratio = medianRatio();
        if (goal == Goal.NONE || Double.isNaN(ratio)) {
            return null;
        }
        return goal == Goal.AT_LEAST ? ratio >= limit : ratio <= limit;
    }
}
