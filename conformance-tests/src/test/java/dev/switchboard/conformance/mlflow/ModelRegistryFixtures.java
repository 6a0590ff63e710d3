package dev.switchboard.conformance.mlflow;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/** Canonical objects the MLflow tests create. */
final class ModelRegistryFixtures {

    static ResourceRef modelRef(String name) {
        return ResourceRef.of("kit", "kit", "registered_model", name);
    }

    ModelVersion version(String model) {
        return version(model, null);
    }

    ModelVersion version(String model, ResourceRef sourceRun) {
        return new ModelVersion(ResourceRef.of("kit", "kit", "model_version", model + "/new"), model, "new", null,
                sourceRun, ArtifactRef.of(URI.create("s3://models/" + model)), Set.of(), null, null, Map.of(),
                Map.of(), Map.of(), null, null);
    }
}
