package dev.switchboard.model;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * A training or evaluation run in an experiment tracker.
 *
 * @param ref          where the run lives
 * @param experimentId the native id of the run's experiment
 * @param name         the run's display name, or {@code null}
 * @param status       the run's state
 * @param startTime    when it started, or {@code null}
 * @param endTime      when it ended, or {@code null} while running
 * @param params       logged parameters
 * @param metrics      latest value of each logged metric
 * @param tags         free-form tags
 * @param artifactUri  the root of the run's artifacts, or {@code null}
 */
public record Run(
        ResourceRef ref,
        String experimentId,
        String name,
        RunStatus status,
        Instant startTime,
        Instant endTime,
        Map<String, String> params,
        Map<String, Double> metrics,
        Map<String, String> tags,
        URI artifactUri) implements EventData {

    public Run {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("experimentId", experimentId);
        Checks.text("name", name);
        Checks.requireNonNull("status", status);
        Checks.time("startTime", startTime);
        Checks.time("endTime", endTime);
        params = Checks.copyOf("params", params);
        metrics = Checks.copyOf("metrics", metrics);
        tags = Checks.copyOf("tags", tags);
    }
}
