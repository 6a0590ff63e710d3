package dev.switchboard.connector.mlflow;

import static dev.switchboard.connector.mlflow.internal.MlflowClient.body;
import static dev.switchboard.connector.mlflow.internal.MlflowClient.query;

import dev.switchboard.connector.mlflow.internal.MlflowClient;
import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.connector.mlflow.internal.MlflowDtos.SearchPage;
import dev.switchboard.connector.mlflow.internal.MlflowErrors;
import dev.switchboard.connector.mlflow.internal.MlflowErrors.MlflowApiException;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * MLflow's model registry. Create-or-get works without an idempotency key in MLflow: a model's name is its
 * identity, and a version records the key in the tag {@value MlflowMapper#IDEMPOTENCY_TAG}, looked up before
 * every create.
 */
public final class MlflowModelRegistry implements ModelRegistry {

    /** {@code model-versions/search} accepts up to 200000; one page of the poller never needs that many. */
    static final int MAX_VERSION_PAGE = 10_000;

    private final String connection;
    private final MlflowClient client;
    private final MlflowMapper mapper;
    private final MlflowExperimentTracker tracker;

    MlflowModelRegistry(String connection, MlflowClient client, MlflowMapper mapper, MlflowExperimentTracker tracker) {
        this.connection = connection;
        this.client = client;
        this.mapper = mapper;
        this.tracker = tracker;
    }

    @Override
    public Page<RegisteredModel> listModels(PageRequest page) {
        SearchPage<MlflowDtos.RegisteredModel> result = client.page(client.get("registered-models/search",
                query("max_results", Math.min(page.pageSize(), MlflowOptions.MAX_PAGE_SIZE),
                        "page_token", page.pageToken())), "registered_models", MlflowDtos.RegisteredModel.class);
        return new Page<>(result.items().stream().map(mapper::toCanonical).toList(), result.nextPageToken());
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return ifExists(() -> mapper.toCanonical(client.field(client.get("registered-models/get", query("name", name)),
                "registered_model", MlflowDtos.RegisteredModel.class)));
    }

    /**
     * Newest change first (MLflow cannot filter versions by time); the page ends early, without a next token,
     * once it reaches versions older than {@code since}.
     */
    @Override
    public Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page) {
        SearchPage<MlflowDtos.ModelVersion> result = searchVersions(modelName == null ? null : nameFilter(modelName),
                page.pageToken(), page.pageSize());
        long floor = since == null ? Long.MIN_VALUE : since.toEpochMilli();
        List<ModelVersion> items = withAliases(result.items().stream()
                .filter(v -> v.lastUpdatedTimestamp() == null || v.lastUpdatedTimestamp() >= floor).toList());
        boolean reachedOlder = items.size() < result.items().size();
        return new Page<>(items, reachedOlder ? null : result.nextPageToken());
    }

    /**
     * The versions with their aliases. {@code model-versions/search} answers without {@code aliases} (MLflow 2.12
     * and 3.6 alike; only {@code model-versions/get} and {@code registered-models/get} carry them), so the aliases
     * are read from {@code registered-models/get}: one call per distinct model among {@code versions}.
     */
    List<ModelVersion> withAliases(List<MlflowDtos.ModelVersion> versions) {
        Map<String, Map<String, Set<String>>> byModel = new HashMap<>();
        return versions.stream().map(v -> v.aliases() != null ? mapper.toCanonical(v) : mapper.toCanonical(v,
                byModel.computeIfAbsent(v.name(), this::aliasesByVersion).getOrDefault(v.version(), Set.of())))
                .toList();
    }

    /** {@code version -> aliases} of one model, from {@code registered-models/get}; empty if the model is gone. */
    Map<String, Set<String>> aliasesByVersion(String modelName) {
        Map<String, Set<String>> aliases = new HashMap<>();
        ifExists(() -> client.field(client.get("registered-models/get", query("name", modelName)),
                "registered_model", MlflowDtos.RegisteredModel.class)).ifPresent(model -> {
                    if (model.aliases() != null) {
                        model.aliases().forEach(alias -> aliases.computeIfAbsent(alias.version(),
                                v -> new TreeSet<>()).add(alias.alias()));
                    }
                });
        return aliases;
    }

    SearchPage<MlflowDtos.ModelVersion> searchVersions(String filter, String pageToken, int pageSize) {
        return client.page(client.get("model-versions/search", query("filter", filter,
                        "max_results", Math.min(pageSize, MAX_VERSION_PAGE),
                        "order_by", List.of("last_updated_timestamp DESC"), "page_token", pageToken)),
                "model_versions", MlflowDtos.ModelVersion.class);
    }

    /** MLflow moves no {@code last_updated_timestamp} when a tag (or alias) is set or deleted. */
    @Override
    public boolean listsTagChangesSince() {
        return false;
    }

    /** The version with its source run's params and metrics, when the run can still be read. */
    @Override
    public Optional<ModelVersion> getVersion(String modelName, String version) {
        return ifExists(() -> readVersion(modelName, version)).map(this::withLineage);
    }

    @Override
    public Optional<ModelVersion> getVersionByAlias(String modelName, String alias) {
        return ifExists(() -> mapper.toCanonical(client.field(client.get("registered-models/alias",
                query("name", modelName, "alias", alias)), "model_version", MlflowDtos.ModelVersion.class)));
    }

    @Override
    public RegisteredModel createModel(RegisteredModel model, String idempotencyKey) {
        try {
            return mapper.toCanonical(client.field(client.post("registered-models/create", body(
                            "name", model.name(), "description", model.description(),
                            "tags", model.tags().isEmpty() ? null : MlflowMapper.tagList(model.tags()))),
                    "registered_model", MlflowDtos.RegisteredModel.class));
        } catch (MlflowApiException e) {
            if (!e.is(MlflowErrors.RESOURCE_ALREADY_EXISTS)) {
                throw e;
            }
            return getModel(model.name()).orElseThrow(() -> e);
        }
    }

    /** A version without a source: MLflow's {@code model-versions/create} requires one. */
    @Override
    public Optional<String> refusesCreate(ModelVersion version) {
        return version.artifact() != null ? Optional.empty()
                : Optional.of("MLflow needs a source artifact URI to create a version of " + version.modelName());
    }

    @Override
    public ModelVersion createVersion(ModelVersion version, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw ConnectorException.configuration(connection, "creating a version of " + version.modelName()
                    + " needs an idempotency key");
        }
        Optional<ModelVersion> earlier = findByTag(version.modelName(), MlflowMapper.IDEMPOTENCY_TAG, idempotencyKey);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Optional<String> refused = refusesCreate(version);
        if (refused.isPresent()) {
            throw ConnectorException.configuration(connection, refused.get());
        }
        Map<String, String> tags = new LinkedHashMap<>(version.tags());
        tags.put(MlflowMapper.IDEMPOTENCY_TAG, idempotencyKey);
        if (version.ref() != null && !connection.equals(version.ref().connection())) {
            tags.put(MlflowMapper.SOURCE_REF_TAG, version.ref().key());
        }
        ResourceRef run = version.sourceRun();
        boolean localRun = run != null && MlflowMapper.SYSTEM.equals(run.system()) && connection.equals(run.connection());
        if (run != null && !localRun) {
            // MLflow's run_id names a run of this server only; a run elsewhere is kept as a reference, not dropped
            tags.put(MlflowMapper.SOURCE_RUN_TAG, run.key());
        }
        Map<String, Object> request = body("name", version.modelName(), "source", version.artifact().uri().toString(),
                "run_id", localRun ? run.nativeId() : null, "description", version.description(),
                "tags", MlflowMapper.tagList(tags));
        try {
            return create(request, version.artifact().uri());
        } catch (MlflowApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            // MLflow needs the registered model first; create it (create-or-get) and try once more.
            createModel(new RegisteredModel(mapper.modelRef(version.modelName()), version.modelName(), null,
                    Map.of(), Map.of(), null, null), idempotencyKey);
            return create(request, version.artifact().uri());
        }
    }

    private ModelVersion create(Map<String, Object> request, URI source) {
        try {
            return mapper.toCanonical(client.field(client.post("model-versions/create", request), "model_version",
                    MlflowDtos.ModelVersion.class));
        } catch (MlflowApiException e) {
            throw unknownLoggedModel(source, e).orElse(e);
        }
    }

    /**
     * MLflow 3 answers HTTP 500 (not 404) for a {@code models:/m-<id>} source whose logged model it does not have,
     * typically one copied from another server: retried as transient, it failed forever. When the logged model is
     * indeed missing here (one look-up), that is a configuration error that says what to do instead.
     */
    private Optional<ConnectorException> unknownLoggedModel(URI source, MlflowApiException failure) {
        if (failure.status() < 500 || !"models".equalsIgnoreCase(source.getScheme())
                || !source.getPath().replaceFirst("^/+", "").startsWith("m-")) {
            return Optional.empty();
        }
        String modelId = source.getPath().replaceFirst("^/+", "").split("/")[0];
        try {
            client.get("logged-models/" + modelId, Map.of());
            return Optional.empty(); // it exists: the 500 was something else, and may pass
        } catch (MlflowApiException lookup) {
            if (!lookup.isNotFound()) {
                return Optional.empty();
            }
        }
        return Optional.of(ConnectorException.configuration(connection, "source " + source + " names logged model "
                + modelId + ", which this server does not have (MLflow answered HTTP " + failure.status()
                + "); a version from another server needs a source this one can read: sync it with artifacts.mode: "
                + "copy"));
    }

    @Override
    public ModelVersion updateDescription(String modelName, String version, String description) {
        return mapper.toCanonical(client.field(client.patch("model-versions/update",
                        body("name", modelName, "version", version, "description", description == null ? "" : description)),
                "model_version", MlflowDtos.ModelVersion.class));
    }

    @Override
    public void setAlias(String modelName, String alias, String version) {
        client.post("registered-models/alias", body("name", modelName, "alias", alias, "version", version));
    }

    @Override
    public void deleteAlias(String modelName, String alias) {
        ignoringMissingChild(() -> client.delete("registered-models/alias", body("name", modelName, "alias", alias)),
                () -> getModel(modelName).isPresent());
    }

    @Override
    public ModelVersion transitionStage(String modelName, String version, Stage stage) {
        return mapper.toCanonical(client.field(client.post("model-versions/transition-stage",
                        body("name", modelName, "version", version, "stage", MlflowMapper.stageName(stage),
                                "archive_existing_versions", false)),
                "model_version", MlflowDtos.ModelVersion.class));
    }

    @Override
    public ModelVersion setApproval(String modelName, String version, ApprovalStatus status) {
        throw ConnectorException.configuration(connection, "MLflow has no approval status (field APPROVAL) for "
                + modelName + "/" + version + "; use an alias or a tag instead");
    }

    @Override
    public void setModelTag(String modelName, String key, String value) {
        client.post("registered-models/set-tag", body("name", modelName, "key", key, "value", value));
    }

    @Override
    public void setVersionTag(String modelName, String version, String key, String value) {
        client.post("model-versions/set-tag", body("name", modelName, "version", version, "key", key, "value", value));
    }

    @Override
    public void deleteVersionTag(String modelName, String version, String key) {
        ignoringMissingChild(() -> client.delete("model-versions/delete-tag",
                        body("name", modelName, "version", version, "key", key)),
                () -> ifExists(() -> readVersion(modelName, version)).isPresent());
    }

    @Override
    public Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source) {
        return findByTag(modelName, MlflowMapper.IDEMPOTENCY_TAG, source.key())
                .or(() -> findByTag(modelName, MlflowMapper.SOURCE_REF_TAG, source.key()));
    }

    private Optional<ModelVersion> findByTag(String modelName, String key, String value) {
        String filter = nameFilter(modelName) + " and tags.`" + key + "` = " + quote(value);
        return withAliases(searchVersions(filter, null, 1).items()).stream().findFirst();
    }

    /** MLflow's {@code status} of a version ({@code READY}, {@code PENDING_REGISTRATION} …), or empty if it is gone. */
    Optional<String> registrationStatus(String modelName, String version) {
        return ifExists(() -> client.field(client.get("model-versions/get", query("name", modelName, "version", version)),
                "model_version", MlflowDtos.ModelVersion.class)).map(v -> v.status() == null ? "READY" : v.status());
    }

    private ModelVersion readVersion(String modelName, String version) {
        return mapper.toCanonical(client.field(client.get("model-versions/get",
                query("name", modelName, "version", version)), "model_version", MlflowDtos.ModelVersion.class));
    }

    private ModelVersion withLineage(ModelVersion version) {
        if (version.sourceRun() == null) {
            return version;
        }
        return tracker.getRun(version.sourceRun().nativeId()).map(run -> mapper.withLineage(version, run))
                .orElse(version);
    }

    static String nameFilter(String modelName) {
        return "name = " + quote(modelName);
    }

    /** A string literal of MLflow's search grammar: single quotes, inner quotes escaped by a backslash. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Reads that find nothing are empty, not errors. */
    static <T> Optional<T> ifExists(Supplier<T> read) {
        try {
            return Optional.of(read.get());
        } catch (MlflowApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Removing something already gone is fine, as long as its parent exists (else the caller named a wrong one). */
    private static void ignoringMissingChild(Runnable delete, Supplier<Boolean> parentExists) {
        try {
            delete.run();
        } catch (MlflowApiException e) {
            if (!e.isNotFound() || !parentExists.get()) {
                throw e;
            }
        }
    }
}
