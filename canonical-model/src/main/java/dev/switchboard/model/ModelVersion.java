package dev.switchboard.model;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One version of a registered model, with everything a registry can say about it. Fields a tool cannot
 * hold are {@code null} (or empty); the connector's {@code Fidelity} says which.
 *
 * @param ref            where this version lives
 * @param modelName      the registered model's name
 * @param version        the version as the tool spells it (MLflow {@code "3"}, SageMaker {@code "12"}); always
 *                       a string, never parsed as a number
 * @param description    free text, or {@code null}
 * @param sourceRun      the training run that produced it, or {@code null} when unknown
 * @param artifact       the model's files, or {@code null} when unknown
 * @param aliases        aliases pointing at this version ({@code champion}); empty when none
 * @param stage          the MLflow-style stage, or {@code null} for tools without stages
 * @param approval       the approval status, or {@code null} for tools without approval
 * @param tags           free-form key/value tags
 * @param metrics        numeric metrics known for this version (usually from its source run)
 * @param params         parameters known for this version (usually from its source run)
 * @param createdAt      creation time in the source tool, or {@code null}
 * @param updatedAt      last update time in the source tool, or {@code null}
 */
public record ModelVersion(
        ResourceRef ref,
        String modelName,
        String version,
        String description,
        ResourceRef sourceRun,
        ArtifactRef artifact,
        Set<String> aliases,
        Stage stage,
        ApprovalStatus approval,
        Map<String, String> tags,
        Map<String, Double> metrics,
        Map<String, String> params,
        Instant createdAt,
        Instant updatedAt) implements EventData {

    public ModelVersion {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("modelName", modelName);
        Checks.requireText("version", version);
        Checks.text("description", description);
        aliases = Checks.copyOf("aliases", aliases);
        tags = Checks.copyOf("tags", tags);
        metrics = Checks.copyOf("metrics", metrics);
        params = Checks.copyOf("params", params);
        Checks.time("createdAt", createdAt);
        Checks.time("updatedAt", updatedAt);
    }
}
