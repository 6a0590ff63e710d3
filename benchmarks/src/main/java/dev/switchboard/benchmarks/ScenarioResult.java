package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** What one scenario measured: its metrics, free-text notes, and whether it ran at all. */
final class ScenarioResult {

    final String id;
    final String title;
    final String baselineDescription;
    final String switchboardDescription;
    final List<Metric> metrics = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    String notMeasured;

    ScenarioResult(String id, String title, String baselineDescription, String switchboardDescription) {
        this.id = id;
        this.title = title;
        this.baselineDescription = baselineDescription;
        this.switchboardDescription = switchboardDescription;
    }

    Metric metric(Metric metric) {
        metrics.add(metric);
        return metric;
    }

    Metric metric(String name) {
        return metrics.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no metric " + name + " in " + id));
    }

    ScenarioResult note(String note) {
        notes.add(note);
        return this;
    }
}
