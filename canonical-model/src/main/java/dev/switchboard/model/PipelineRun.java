package dev.switchboard.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
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

    /**
     * The tags that tie a model version registered from this run back to it, as the Kubeflow connectors and the
     * MLflow connector write them: {@code kfp.run_id} (the run's native id) and {@code kfp.pipeline} always, then
     * {@code kfp.run_name} and {@code kfp.pipeline_version_id} when known. Every registry that receives a run's model
     * carries the same keys, so a version can be traced to its run whichever registry holds it.
     *
     * <p>The run's parameters are not included: each target stores them its own way (tags, or fields of their own).
     *
     * @return the tags in the order above; unmodifiable, never empty
     */
    public Map<String, String> lineageTags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("kfp.run_id", ref.nativeId());
        tags.put("kfp.pipeline", pipelineName);
        if (runName != null) {
            tags.put("kfp.run_name", runName);
        }
        if (pipelineVersion != null) {
            tags.put("kfp.pipeline_version_id", pipelineVersion);
        }
        return Collections.unmodifiableMap(tags);
    }
}
