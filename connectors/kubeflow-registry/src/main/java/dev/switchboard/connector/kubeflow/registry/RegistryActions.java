package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ConnectorException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The registry's action {@code register-model-version}: registers a new version of {@code model} with its model
 * artifact, and lineage to what triggered it.
 * <ul>
 *   <li>From a {@code pipeline_run.finished} event (Kubeflow Pipelines): the version records the run
 *       ({@code switchboard.source_run}, and the tags {@code kfp.run_id}, {@code kfp.run_name},
 *       {@code kfp.pipeline}, {@code kfp.pipeline_version_id}), the run's parameters
 *       ({@code switchboard.param.<name>}), and the model artifact carries the registry's own lineage fields
 *       {@code modelSourceKind=kfp}, {@code modelSourceClass=pipelinerun}, {@code modelSourceId=<run id>},
 *       {@code modelSourceName=<run name>}.</li>
 *   <li>From a {@code model_version.*} event of another registry: the source version is the lineage and its
 *       artifact the default {@code artifact-uri}.</li>
 * </ul>
 * Parameters: {@code model} (required), {@code artifact-uri}, {@code sha256}, {@code description},
 * {@code model-format}, {@code model-format-version}; a route fills them from a pipeline run in Simple
 * ({@code model: "${body.data.parameters[model_name]}"}), resolved by the hub before they arrive here.
 *
 * <p>The artifact's digest: when a configured artifact store serves {@code artifact-uri}, the SHA-256 is read from
 * it (computed by streaming the artifact once when the store keeps none) and compared with {@code sha256} when that
 * is given: a mismatch registers nothing. It is recorded as {@code switchboard.digest} on the model artifact.
 * The idempotency key is the version's {@code externalId}: a retried delivery returns the first version.
 */
final class RegistryActions implements ActionTarget {

    static final String REGISTER = "register-model-version";

    private final String connection;
    private final KubeflowClient client;
    private final KubeflowModelRegistry registry;
    private final ArtifactResolver artifacts;

    RegistryActions(String connection, KubeflowClient client, KubeflowModelRegistry registry, ArtifactResolver artifacts) {
        this.connection = connection;
        this.client = client;
        this.registry = registry;
        this.artifacts = artifacts;
    }

    @Override
    public Set<String> actions() {
        return Set.of(REGISTER);
    }

    @Override
    public List<Action> describe() {
        return List.of(Action.of(REGISTER, "Registers a new version of a registered model, with lineage to the "
                        + "pipeline run or model version of the event; outputs model, version and versionId",
                Parameter.required("model",
                        "The registered model's name (${body.data.parameters[model_name]} from a run's parameter)"),
                Parameter.optional("artifact-uri", "The model artifact's URI; the event's artifact by default"),
                Parameter.optional("sha256", "The artifact's expected SHA-256; a mismatch registers nothing"),
                Parameter.optional("description", "The version's description"),
                Parameter.optional("model-format", "The artifact's model format name (sklearn)"),
                Parameter.optional("model-format-version", "The artifact's model format version")));
    }

    @Override
    public Result perform(Request request) {
        if (!REGISTER.equals(request.action())) {
            throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; the Kubeflow Model Registry offers " + REGISTER);
        }
        Object data = request.event() == null ? null : request.event().data();
        String model = request.require(connection, "model");
        ArtifactRef artifact = artifacts.withSha256(request.artifact(connection, "artifact-uri"),
                request.optional("sha256").orElse(null), connection);

        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, String> params = Map.of();
        Map<String, String> artifactFields = new LinkedHashMap<>();
        ResourceRef sourceRun = null;
        String description = request.parameters().get("description");
        if (data instanceof PipelineRun run) {
            sourceRun = run.ref();
            params = run.parameters();
            tags.putAll(run.lineageTags());
            artifactFields.put("modelSourceKind", "kfp");
            artifactFields.put("modelSourceClass", "pipelinerun");
            artifactFields.put("modelSourceId", run.ref().nativeId());
            if (run.runName() != null) {
                artifactFields.put("modelSourceName", run.runName());
            }
            description = description != null ? description : "registered by switchboard from "
                    + "Kubeflow Pipelines run " + run.ref().nativeId();
        } else if (data instanceof ModelVersion source) {
            sourceRun = source.ref();
            tags.putAll(source.tags());
            tags.keySet().removeIf(k -> k.startsWith(RegistryMapper.RESERVED));
            params = source.params();
            description = description != null ? description : source.description();
        }
        Optional.ofNullable(request.parameters().get("model-format")).ifPresent(f -> artifactFields.put("modelFormatName", f));
        Optional.ofNullable(request.parameters().get("model-format-version"))
                .ifPresent(f -> artifactFields.put("modelFormatVersion", f));
        ModelVersion version = new ModelVersion(registry.mapperRef(model), model, "new", description, sourceRun,
                artifact, Set.of(), null, null, tags, Map.of(), params, null, null);
        JsonNode mv = registry.createVersionNode(version, request.idempotencyKey(), artifactFields);
        ModelVersion created = registry.full(mv);
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("model", created.modelName());
        outputs.put("version", created.version());
        outputs.put("versionId", created.ref().nativeId());
        if (created.artifact() != null && created.artifact().digest() != null) {
            outputs.put("digest", RegistryMapper.digestText(created.artifact().digest()));
        }
        return new Result(created.ref(), outputs);
    }

    /** A registered version is done once it exists: the registry has no asynchronous registration. */
    @Override
    public Optional<Status> status(ResourceRef started) {
        if (!"model_version".equals(started.kind())) {
            return Optional.empty();
        }
        return client.find("/model_versions/" + KubeflowClient.encode(started.nativeId()), Map.of())
                .map(mv -> new Status(RunStatus.SUCCEEDED, started));
    }
}
