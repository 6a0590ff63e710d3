package dev.switchboard.model;

import java.time.Instant;
import java.util.Map;

/**
 * A named model in a registry (MLflow registered model, SageMaker model package group, Vertex AI model).
 *
 * @param ref         where the model lives
 * @param name        the registry-wide name
 * @param description free text, or {@code null}
 * @param tags        free-form key/value tags (empty when none)
 * @param aliases     alias to version number, for registries that have aliases (empty when none)
 * @param createdAt   creation time in the source tool, or {@code null} when it does not say
 * @param updatedAt   last update time in the source tool, or {@code null} when it does not say
 */
public record RegisteredModel(
        ResourceRef ref,
        String name,
        String description,
        Map<String, String> tags,
        Map<String, String> aliases,
        Instant createdAt,
        Instant updatedAt) implements EventData {

    public RegisteredModel {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("name", name);
        Checks.text("description", description);
        Checks.time("createdAt", createdAt);
        Checks.time("updatedAt", updatedAt);
        tags = Checks.copyOf("tags", tags);
        aliases = Checks.copyOf("aliases", aliases);
    }
}
