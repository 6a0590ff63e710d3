package dev.switchboard.connector.kubeflow.registry;

import static dev.switchboard.connector.kubeflow.common.KubeflowClient.query;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.connector.kubeflow.common.KubeflowClient.KubeflowApiException;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link ModelRegistry} on the Kubeflow Model Registry. Versions are named by the connector ({@code "1"},
 * {@code "2"}, … one more than the highest numeric name of the model), because the registry names nothing itself.
 * The idempotency key of a create is the version's {@code externalId} (unique in the registry), so a retry finds
 * the first version by {@code GET /model_version?externalId=}. Custom properties are written as a full map on
 * every PATCH (whether the registry merges or replaces the map is not documented; a full map is right either way
 * except for removals, which need replace semantics).
 */
final class KubeflowModelRegistry implements ModelRegistry {

    static final String ARTIFACT_NAME = "model";

    private final String connection;
    private final KubeflowClient client;
    private final RegistryMapper mapper;
    private final int defaultPageSize;
    /** Registered-model names and ids never change and models are never deleted, so both maps stay valid. */
    private final Map<String, String> idsByName = new ConcurrentHashMap<>();
    private final Map<String, String> namesById = new ConcurrentHashMap<>();

    KubeflowModelRegistry(String connection, KubeflowClient client, RegistryMapper mapper, int defaultPageSize) {
        this.connection = connection;
        this.client = client;
        this.mapper = mapper;
        this.defaultPageSize = defaultPageSize;
    }

    int pageSize() {
        return defaultPageSize;
    }

    /** A placeholder ref for a version about to be created (the registry assigns the real one). */
    dev.switchboard.model.ResourceRef mapperRef(String model) {
        return mapper.modelRef("new:" + model);
    }

    // ---------------------------------------------------------------- models

    @Override
    public Page<RegisteredModel> listModels(PageRequest page) {
        JsonNode list = client.get("/registered_models", query("pageSize", clamp(page.pageSize()),
                "orderBy", "ID", "sortOrder", "ASC", "nextPageToken", page.pageToken()));
        List<RegisteredModel> models = new ArrayList<>();
        list.path("items").forEach(rm -> models.add(mapper.toModel(remember(rm))));
        return new Page<>(models, list.path("nextPageToken").asString(null));
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return findModel(name).map(mapper::toModel);
    }

    Optional<JsonNode> findModel(String name) {
        return client.find("/registered_model", query("name", name)).map(this::remember);
    }

    private JsonNode requireModel(String name) {
        return findModel(name).orElseThrow(() -> ConnectorException.configuration(connection,
                "registered model " + name + " does not exist"));
    }

    private JsonNode remember(JsonNode rm) {
        idsByName.put(rm.path("name").asString(), rm.path("id").asString());
        namesById.put(rm.path("id").asString(), rm.path("name").asString());
        return rm;
    }

    JsonNode modelById(String id) {
        return remember(client.get("/registered_models/" + KubeflowClient.encode(id), Map.of()));
    }

    @Override
    public RegisteredModel createModel(RegisteredModel model, String idempotencyKey) {
        return mapper.toModel(createOrGetModel(model.name(), model.description(), model.tags()));
    }

    private JsonNode createOrGetModel(String name, String description, Map<String, String> tags) {
        Optional<JsonNode> existing = findModel(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        ObjectNode body = client.object();
        body.put("name", name);
        if (description != null) {
            body.put("description", description);
        }
        requireNoReservedKeys(tags.keySet());
        body.set("customProperties", mapper.tagProperties(tags));
        try {
            return remember(client.post("/registered_models", body));
        } catch (KubeflowApiException e) {
            if (e.status() == 409) {
                return requireModel(name); // created concurrently: create-or-get
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- versions

    @Override
    public Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page) {
        String path = "/model_versions";
        JsonNode model = null;
        if (modelName != null) {
            Optional<JsonNode> found = findModel(modelName);
            if (found.isEmpty()) {
                return Page.last(List.of());
            }
            model = found.get();
            path = "/registered_models/" + KubeflowClient.encode(model.path("id").asString()) + "/versions";
        }
        JsonNode list = client.get(path, query("pageSize", clamp(page.pageSize()),
                "orderBy", since == null ? "ID" : "LAST_UPDATE_TIME", "sortOrder", since == null ? "ASC" : "DESC",
                "nextPageToken", page.pageToken()));
        List<ModelVersion> versions = new ArrayList<>();
        boolean reachedOlder = false;
        Map<String, JsonNode> models = new HashMap<>();
        if (model != null) {
            models.put(model.path("id").asString(), model);
        }
        for (JsonNode mv : list.path("items")) {
            if (since != null && RegistryMapper.millisOf(mv) < since.toEpochMilli()) {
                reachedOlder = true; // newest first: the rest of the listing is older still
                break;
            }
            JsonNode rm = models.computeIfAbsent(mv.path("registeredModelId").asString(), this::modelById);
            versions.add(full(mv, rm));
        }
        return new Page<>(versions, reachedOlder ? null : list.path("nextPageToken").asString(null));
    }

    /** The version with its model's aliases and its model artifact. */
    ModelVersion full(JsonNode mv, JsonNode rm) {
        return mapper.toVersion(mv, rm, modelArtifact(mv.path("id").asString()).orElse(null));
    }

    ModelVersion full(JsonNode mv) {
        return full(mv, modelById(mv.path("registeredModelId").asString()));
    }

    private Optional<JsonNode> modelArtifact(String versionId) {
        JsonNode list = client.get("/model_versions/" + KubeflowClient.encode(versionId) + "/artifacts",
                query("pageSize", 10, "artifactType", "model-artifact", "name", ARTIFACT_NAME));
        for (JsonNode artifact : list.path("items")) {
            if (ARTIFACT_NAME.equals(artifact.path("name").asString())) {
                return Optional.of(artifact);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<ModelVersion> getVersion(String modelName, String version) {
        return findModel(modelName).flatMap(rm -> findVersion(rm, version).map(mv -> full(mv, rm)));
    }

    private Optional<JsonNode> findVersion(JsonNode rm, String version) {
        return client.find("/model_version", query("name", version, "parentResourceId", rm.path("id").asString()));
    }

    private JsonNode requireVersion(JsonNode rm, String version) {
        return findVersion(rm, version).orElseThrow(() -> ConnectorException.configuration(connection,
                "version " + version + " of registered model " + rm.path("name").asString() + " does not exist"));
    }

    @Override
    public Optional<ModelVersion> getVersionByAlias(String modelName, String alias) {
        return findModel(modelName).flatMap(rm -> Optional.ofNullable(
                        RegistryMapper.aliases(rm.path("customProperties")).get(alias))
                .flatMap(version -> findVersion(rm, version)).map(mv -> full(mv, rm)));
    }

    @Override
    public ModelVersion createVersion(ModelVersion version, String idempotencyKey) {
        return full(createVersionNode(version, idempotencyKey, Map.of()));
    }

    /**
     * Creates the version (or finds the one an earlier attempt with the same key created) and its model artifact.
     *
     * @param artifactFields extra fields of the model artifact ({@code modelSourceKind}, …)
     */
    JsonNode createVersionNode(ModelVersion version, String idempotencyKey, Map<String, String> artifactFields) {
        requireNoReservedKeys(version.tags().keySet());
        Optional<JsonNode> existing = byExternalId(idempotencyKey);
        JsonNode mv;
        if (existing.isPresent()) {
            mv = existing.get();
        } else {
            JsonNode rm = createOrGetModel(version.modelName(), null, Map.of());
            mv = null;
            for (int attempt = 0; mv == null; attempt++) {
                ObjectNode body = client.object();
                body.put("registeredModelId", rm.path("id").asString());
                body.put("name", nextVersionName(rm));
                body.put("externalId", idempotencyKey);
                if (version.description() != null) {
                    body.put("description", version.description());
                }
                body.set("customProperties", mapper.versionProperties(version));
                try {
                    mv = client.post("/model_versions", body);
                } catch (KubeflowApiException e) {
                    if (e.status() != 409) {
                        throw e;
                    }
                    Optional<JsonNode> raced = byExternalId(idempotencyKey);
                    if (raced.isPresent()) {
                        mv = raced.get();
                    } else if (attempt >= 2) {
                        throw e; // someone keeps taking the next name
                    }
                }
            }
        }
        ArtifactRef artifact = version.artifact();
        if (artifact != null && modelArtifact(mv.path("id").asString()).isEmpty()) {
            ObjectNode body = client.object();
            body.put("artifactType", "model-artifact");
            body.put("name", ARTIFACT_NAME);
            body.put("uri", artifact.uri().toString());
            body.put("state", "LIVE");
            artifactFields.forEach(body::put);
            ObjectNode props = client.object();
            if (artifact.digest() != null) {
                props.set(RegistryMapper.DIGEST, mapper.stringValue(RegistryMapper.digestText(artifact.digest())));
            }
            body.set("customProperties", props);
            client.post("/model_versions/" + KubeflowClient.encode(mv.path("id").asString()) + "/artifacts", body);
        }
        return mv;
    }

    private Optional<JsonNode> byExternalId(String key) {
        return client.find("/model_version", query("externalId", key));
    }

    private String nextVersionName(JsonNode rm) {
        long highest = 0;
        String token = null;
        do {
            JsonNode list = client.get("/registered_models/" + KubeflowClient.encode(rm.path("id").asString())
                    + "/versions", query("pageSize", defaultPageSize, "orderBy", "ID", "nextPageToken", token));
            for (JsonNode mv : list.path("items")) {
                String name = mv.path("name").asString();
                if (name.matches("\\d{1,18}")) {
                    highest = Math.max(highest, Long.parseLong(name));
                }
            }
            token = list.path("nextPageToken").asString("");
        } while (!token.isEmpty());
        return Long.toString(highest + 1);
    }

    // ---------------------------------------------------------------- updates

    @Override
    public ModelVersion updateDescription(String modelName, String version, String description) {
        JsonNode rm = requireModel(modelName);
        JsonNode mv = requireVersion(rm, version);
        ObjectNode body = client.object();
        body.put("description", description);
        return full(client.patch("/model_versions/" + KubeflowClient.encode(mv.path("id").asString()), body), rm);
    }

    @Override
    public void setAlias(String modelName, String alias, String version) {
        JsonNode rm = requireModel(modelName);
        requireVersion(rm, version);
        ObjectNode props = ((ObjectNode) rm.path("customProperties")).deepCopy();
        props.set(RegistryMapper.ALIAS_PREFIX + alias, mapper.stringValue(version));
        patchProperties("/registered_models/" + KubeflowClient.encode(rm.path("id").asString()), props);
    }

    @Override
    public void deleteAlias(String modelName, String alias) {
        JsonNode rm = requireModel(modelName);
        ObjectNode props = ((ObjectNode) rm.path("customProperties")).deepCopy();
        if (props.remove(RegistryMapper.ALIAS_PREFIX + alias) != null) {
            patchProperties("/registered_models/" + KubeflowClient.encode(rm.path("id").asString()), props);
        }
    }

    /** Only {@code ARCHIVED} (the registry's {@code state: ARCHIVED}) and {@code NONE} (back to {@code LIVE}). */
    @Override
    public ModelVersion transitionStage(String modelName, String version, Stage stage) {
        if (stage != Stage.ARCHIVED && stage != Stage.NONE) {
            throw ConnectorException.configuration(connection, "the Kubeflow Model Registry has no stage " + stage
                    + "; only ARCHIVED (state ARCHIVED) and NONE (state LIVE) can be held");
        }
        JsonNode rm = requireModel(modelName);
        JsonNode mv = requireVersion(rm, version);
        ObjectNode body = client.object();
        body.put("state", stage == Stage.ARCHIVED ? "ARCHIVED" : "LIVE");
        return full(client.patch("/model_versions/" + KubeflowClient.encode(mv.path("id").asString()), body), rm);
    }

    @Override
    public ModelVersion setApproval(String modelName, String version, ApprovalStatus status) {
        throw ConnectorException.configuration(connection, "the Kubeflow Model Registry has no approval status; "
                + "set a tag instead");
    }

    @Override
    public void setModelTag(String modelName, String key, String value) {
        requireNoReservedKeys(List.of(key));
        JsonNode rm = requireModel(modelName);
        ObjectNode props = ((ObjectNode) rm.path("customProperties")).deepCopy();
        props.set(key, mapper.stringValue(value));
        patchProperties("/registered_models/" + KubeflowClient.encode(rm.path("id").asString()), props);
    }

    @Override
    public void setVersionTag(String modelName, String version, String key, String value) {
        requireNoReservedKeys(List.of(key));
        JsonNode mv = requireVersion(requireModel(modelName), version);
        ObjectNode props = ((ObjectNode) mv.path("customProperties")).deepCopy();
        props.set(key, mapper.stringValue(value));
        patchProperties("/model_versions/" + KubeflowClient.encode(mv.path("id").asString()), props);
    }

    @Override
    public void deleteVersionTag(String modelName, String version, String key) {
        JsonNode mv = requireVersion(requireModel(modelName), version);
        ObjectNode props = ((ObjectNode) mv.path("customProperties")).deepCopy();
        if (props.remove(key) != null) {
            patchProperties("/model_versions/" + KubeflowClient.encode(mv.path("id").asString()), props);
        }
    }

    private void patchProperties(String path, ObjectNode props) {
        ObjectNode body = client.object();
        body.set("customProperties", props);
        client.patch(path, body);
    }

    @Override
    public Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source) {
        Optional<JsonNode> rm = findModel(modelName);
        if (rm.isEmpty()) {
            return Optional.empty();
        }
        String id = rm.get().path("id").asString();
        return byExternalId(source.key()).filter(mv -> id.equals(mv.path("registeredModelId").asString()))
                .or(() -> bySourceRef(rm.get(), source.key()))
                .map(mv -> full(mv, rm.get()));
    }

    /**
     * The version of {@code rm} whose {@value RegistryMapper#SOURCE_REF} is {@code key}. The v1alpha3 API cannot
     * filter on custom properties, so the model's versions are listed; the hub asks only for versions it has no
     * identity link for.
     */
    private Optional<JsonNode> bySourceRef(JsonNode rm, String key) {
        String token = null;
        do {
            JsonNode list = client.get("/registered_models/" + KubeflowClient.encode(rm.path("id").asString())
                    + "/versions", query("pageSize", defaultPageSize, "orderBy", "ID", "nextPageToken", token));
            for (JsonNode mv : list.path("items")) {
                JsonNode ref = mv.path("customProperties").path(RegistryMapper.SOURCE_REF);
                if (!ref.isMissingNode() && key.equals(RegistryMapper.scalar(ref))) {
                    return Optional.of(mv);
                }
            }
            token = list.path("nextPageToken").asString("");
        } while (!token.isEmpty());
        return Optional.empty();
    }

    private void requireNoReservedKeys(Iterable<String> keys) {
        for (String key : keys) {
            if (key.startsWith(RegistryMapper.RESERVED)) {
                throw ConnectorException.configuration(connection, "tag " + key + " uses the prefix "
                        + RegistryMapper.RESERVED + ", which this connector keeps for aliases, params, metrics and "
                        + "lineage");
            }
        }
    }

    private int clamp(int pageSize) {
        return Math.max(1, Math.min(pageSize, RegistryOptions.MAX_PAGE_SIZE));
    }
}
