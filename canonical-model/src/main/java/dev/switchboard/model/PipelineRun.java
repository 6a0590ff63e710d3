package dev.switchboard.model;

import java.time.Instant;
import java.util.Map;

/**
 * A run of an ML pipeline (Kubeflow Pipelines, Vertex AI Pipelines).
 *
 * @param ref          where the run lives
 * @param pipelineName the pipeline's name
 * @param runName      the run's display name, or {@code null}
 * @param status       the run's state
 * @param startTime    when it started, or {@code null}
 * @param endTime      when it ended, or {@code null} while running
 * @param parameters   the run's input parameters
 */
public record PipelineRun(
        ResourceRef ref, String pipelineName, String runName, RunStatus status,
        Instant startTime, Instant endTime, Map<String, String> parameters) implements EventData {

    public PipelineRun {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("pipelineName", pipelineName);
        Checks.text("runName", runName);
        Checks.requireNonNull("status", status);
        Checks.time("startTime", startTime);
        Checks.time("endTime", endTime);
        parameters = Checks.copyOf("parameters", parameters);
    }
}
