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
 * @param parameters      the run's input parameters
 * @param pipelineVersion the tool's id of the pipeline version that ran (Kubeflow {@code pipeline_version_id}), or
 *                        {@code null} when the tool does not say
 */
public record PipelineRun(
        ResourceRef ref, String pipelineName, String runName, RunStatus status,
        Instant startTime, Instant endTime, Map<String, String> parameters, String pipelineVersion)
        implements EventData {

    /** A run whose pipeline version is not known. */
    public PipelineRun(ResourceRef ref, String pipelineName, String runName, RunStatus status, Instant startTime,
                       Instant endTime, Map<String, String> parameters) {
        this(ref, pipelineName, runName, status, startTime, endTime, parameters, null);
    }

    public PipelineRun {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("pipelineName", pipelineName);
        Checks.text("runName", runName);
        Checks.requireNonNull("status", status);
        Checks.time("startTime", startTime);
        Checks.time("endTime", endTime);
        parameters = Checks.copyOf("parameters", parameters);
        Checks.text("pipelineVersion", pipelineVersion);
    }
}
