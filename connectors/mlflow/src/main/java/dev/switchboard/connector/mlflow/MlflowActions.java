package dev.switchboard.connector.mlflow;

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

/**
 * MLflow's action {@code register-model-version}: registers a new version of {@code model} (creating the registered
 * model when it is missing) whose {@code source} is the artifact, with lineage to what triggered it, and optionally
 * points an alias at it.
 * <ul>
 *   <li>From a {@code pipeline_run.finished} event (Kubeflow Pipelines): the tags {@code kfp.run_id},
 *       {@code kfp.run_name}, {@code kfp.pipeline}, {@code kfp.pipeline_version_id} and {@code kfp.param.<name>} per
 *       run parameter, and the run as {@value MlflowMapper#SOURCE_RUN_TAG}, since MLflow's {@code run_id} can only
 *       name a run of this server ({@code run-id} names one, when the pipeline logged to MLflow).</li>
 *   <li>From a {@code model_version.*} event of another registry: the source version's tags, description, run and
 *       artifact, and its reference as {@value MlflowMapper#SOURCE_REF_TAG}.</li>
 * </ul>
 * The artifact's SHA-256 is read through the artifact store that serves its URI, compared with {@code sha256} when
 * given (a mismatch registers nothing) and recorded as the tag {@value #DIGEST_TAG}. Idempotency is the registry's:
 * the key is the tag {@value MlflowMapper#IDEMPOTENCY_TAG}, searched for before creating, so a retried delivery
 * finds the version the first attempt created.
 */
final class MlflowActions implements ActionTarget {

    static final String REGISTER = "register-model-version";
    /** The version tag holding the artifact's verified digest, {@code SHA_256:<hex>}. */
    static final String DIGEST_TAG = "switchboard.digest";

    private final String connection;
    private final MlflowModelRegistry registry;
    private final MlflowMapper mapper;
    private final ArtifactResolver artifacts;

    MlflowActions(String connection, MlflowModelRegistry registry, MlflowMapper mapper, ArtifactResolver artifacts) {
        this.connection = connection;
        this.registry = registry;
        this.mapper = mapper;
        this.artifacts = artifacts;
    }

    @Override
    public Set<String> actions() {
        return Set.of(REGISTER);
    }

    @Override
    public List<Action> describe() {
        return List.of(Action.of(REGISTER, "Registers a new version of a registered model (created when missing), "
                        + "with lineage to the pipeline run or model version of the event; outputs model, version, "
                        + "source and digest",
                Parameter.required("model",
                        "The registered model's name (${body.data.parameters[model_name]} from a run's parameter)"),
                Parameter.optional("artifact-uri", "The version's source URI; the event's artifact by default"),
                Parameter.optional("sha256", "The artifact's expected SHA-256; a mismatch registers nothing"),
                Parameter.optional("run-id", "An MLflow run of this server to link as the version's run_id"),
                Parameter.optional("description", "The version's description"),
                Parameter.optional("alias", "An alias to point at the new version (champion)"),
                Parameter.prefix("tag.", "A version tag: tag.<key>=<value>")));
    }

    @Override
    public Result perform(Request request) {
        if (!REGISTER.equals(request.action())) {
            throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; MLflow offers " + REGISTER);
        }
        Object data = request.event() == null ? null : request.event().data();
        String model = request.require(connection, "model");
        ArtifactRef artifact = request.artifact(connection, "artifact-uri");
        artifact = artifacts.withSha256(artifact, request.optional("sha256").orElse(null), connection);

        Map<String, String> tags = new LinkedHashMap<>();
        ResourceRef ref = mapper.modelRef(model);
        ResourceRef sourceRun = null;
        String description = null;
        if (data instanceof PipelineRun run) {
            sourceRun = run.ref();
            tags.putAll(run.lineageTags());
            run.parameters().forEach((name, value) -> tags.put("kfp.param." + name, value));
            description = "registered by switchboard from Kubeflow Pipelines run " + run.ref().nativeId();
        } else if (data instanceof ModelVersion source) {
            ref = source.ref();
            sourceRun = source.sourceRun();
            source.tags().forEach((key, value) -> {
                if (!key.startsWith("switchboard.")) {
                    tags.put(key, value);
                }
            });
            description = source.description();
        }
        request.parameters().forEach((name, value) -> {
            if (name.startsWith("tag.") && name.length() > "tag.".length()) {
                tags.put(name.substring("tag.".length()), value);
            }
        });
        if (artifact.digest() != null) {
            tags.put(DIGEST_TAG, artifact.digest().algorithm().name() + ":" + artifact.digest().value());
        }
        Optional<String> runId = request.optional("run-id");
        if (runId.isPresent()) {
            sourceRun = mapper.runRef(runId.get());
        }
        description = request.optional("description").orElse(description);

        ModelVersion created = registry.createVersion(new ModelVersion(ref, model, "new", description, sourceRun,
                artifact, Set.of(), null, null, tags, Map.of(), Map.of(), null, null), request.idempotencyKey());
        Optional<String> alias = request.optional("alias");
        alias.ifPresent(a -> registry.setAlias(model, a, created.version()));

        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("model", created.modelName());
        outputs.put("version", created.version());
        outputs.put("source", artifact.uri().toString());
        putIfKnown(outputs, "digest", tags.get(DIGEST_TAG));
        return new Result(mapper.versionRef(created.modelName(), created.version()), outputs);
    }

    /**
     * A version is done once MLflow reports it {@code READY}; Databricks may hold it in
     * {@code PENDING_REGISTRATION} first.
     */
    @Override
    public Optional<Status> status(ResourceRef started) {
        if (!"model_version".equals(started.kind())) {
            return Optional.empty();
        }
        String id = started.nativeId();
        int slash = id.lastIndexOf('/');
        return registry.registrationStatus(id.substring(0, slash), id.substring(slash + 1))
                .map(status -> new Status(switch (status) {
                    case "PENDING_REGISTRATION" -> RunStatus.RUNNING;
                    case "FAILED_REGISTRATION" -> RunStatus.FAILED;
                    default -> RunStatus.SUCCEEDED;
                }, started));
    }

    private static void putIfKnown(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
