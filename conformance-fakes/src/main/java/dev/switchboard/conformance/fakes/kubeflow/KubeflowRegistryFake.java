package dev.switchboard.conformance.fakes.kubeflow;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.switchboard.conformance.fakes.Faults;
import dev.switchboard.conformance.fakes.WireMockFake;
import dev.switchboard.conformance.fakes.kubeflow.FakeHttp.ApiError;
import java.net.URI;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful fake of the Kubeflow Model Registry REST API {@code v1alpha3} (kubeflow/model-registry
 * {@code api/openapi/model-registry.yaml}): registered models, model versions and model artifacts, with the
 * server's behaviour where connectors go wrong:
 * <ul>
 *   <li>ids are numeric strings, timestamps milliseconds as strings ({@code createTimeSinceEpoch});</li>
 *   <li>{@code customProperties} are typed values, checked strictly: {@code metadataType} is one of the six types
 *       and the value sits under its own key ({@code string_value}, {@code int_value} as a string in int32 range,
 *       {@code double_value} a number, {@code bool_value} a boolean, {@code struct_value}/{@code proto_value}
 *       base64) and nothing else; anything else is 400;</li>
 *   <li>unknown body fields are 400; a missing required field is 422; a duplicate name (per model for versions)
 *       or {@code externalId} is 409; a missing object is 404; there is no DELETE (405);</li>
 *   <li>lists take {@code pageSize}, {@code orderBy} ({@code ID|CREATE_TIME|LAST_UPDATE_TIME}), {@code sortOrder}
 *       and an opaque {@code nextPageToken} (a bad one is 400), and answer {@code {items, size, pageSize,
 *       nextPageToken}}; <strong>without {@code pageSize} everything comes back in one page</strong>, as from the
 *       real server — {@link #listsWithoutPageSize()} counts such requests;</li>
 *   <li>PATCH replaces {@code customProperties} as a whole map;</li>
 *   <li>errors are {@code {"code": "<HTTP status text>", "message": …}}.</li>
 * </ul>
 * Auth: {@link #requireBearer}, {@link #requireUserHeader}; {@linkplain #faults() faults} are answered in the
 * registry's error shape.
 */
public final class KubeflowRegistryFake extends WireMockFake<KubeflowRegistryFake> {

    public static final String API = "/api/model_registry/v1alpha3";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> TYPES = Set.of("MetadataStringValue", "MetadataIntValue", "MetadataDoubleValue",
            "MetadataBoolValue", "MetadataStructValue", "MetadataProtoValue");
    private static final Set<String> BASE_FIELDS = Set.of("name", "externalId", "description", "customProperties");
    private static final Set<String> RM_FIELDS = union(BASE_FIELDS, "owner", "state", "readme", "maturity",
            "language", "tasks", "provider", "logo", "license", "licenseLink", "libraryName");
    private static final Set<String> MV_FIELDS = union(BASE_FIELDS, "registeredModelId", "author", "state");
    private static final Set<String> ARTIFACT_FIELDS = union(BASE_FIELDS, "artifactType", "uri", "state",
            "modelFormatName", "modelFormatVersion", "storageKey", "storagePath", "serviceAccountName",
            "modelSourceKind", "modelSourceClass", "modelSourceGroup", "modelSourceId", "modelSourceName",
            "experimentId", "experimentRunId");

    private final Api api = new Api();
    private final Map<String, ObjectNode> models = new LinkedHashMap<>();
    private final Map<String, ObjectNode> versions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> artifacts = new LinkedHashMap<>();
    private final AtomicLong nextContextId = new AtomicLong(1);
    private final AtomicLong nextArtifactId = new AtomicLong(1);
    private long lastMillis;
    private int listsWithoutPageSize;
    private volatile String expectedAuthorization;
    private volatile Map.Entry<String, String> expectedUserHeader;

    @Override
    protected Extension api() {
        return api;
    }

    @Override
    protected synchronized void resetState() {
        models.clear();
        versions.clear();
        artifacts.clear();
        nextContextId.set(1);
        nextArtifactId.set(1);
        listsWithoutPageSize = 0;
        expectedAuthorization = null;
        expectedUserHeader = null;
    }

    /** The URL to configure a connection with ({@code http://127.0.0.1:<port>}). */
    public URI baseUrl() {
        return loopbackUri();
    }

    /** From now on only requests with {@code Authorization: Bearer <token>} are answered; others get 401. */
    public KubeflowRegistryFake requireBearer(String token) {
        expectedAuthorization = "Bearer " + token;
        return this;
    }

    /** From now on only requests carrying {@code header: value} are answered (a proxy's identity header); 403. */
    public KubeflowRegistryFake requireUserHeader(String header, String value) {
        expectedUserHeader = Map.entry(header, value);
        return this;
    }

    /** How many list requests came without {@code pageSize} (which makes the real server return everything). */
    public synchronized int listsWithoutPageSize() {
        return listsWithoutPageSize;
    }

    /** Calls the API directly, as another client would (no HTTP, no auth, no faults). */
    public synchronized JsonNode call(String method, String pathAndQuery, JsonNode body) {
        URI uri = URI.create(API + pathAndQuery);
        try {
            return api.handle(method, uri.getRawPath(), uri.getRawQuery(), body);
        } catch (ApiError e) {
            throw new IllegalStateException(method + " " + pathAndQuery + " answered " + e.status + ": " + e.body);
        }
    }

    /** Creates a version (and its model when missing) as another user would; returns the version's JSON. */
    public synchronized JsonNode createVersion(String model, String version, String uri) {
        JsonNode rm = models.values().stream().filter(m -> m.path("name").asString().equals(model)).findFirst()
                .map(JsonNode.class::cast).orElseGet(() -> call("POST", "/registered_models",
                        JSON.createObjectNode().put("name", model)));
        JsonNode mv = call("POST", "/model_versions", JSON.createObjectNode().put("name", version)
                .put("registeredModelId", rm.path("id").asString()));
        if (uri != null) {
            call("POST", "/model_versions/" + mv.path("id").asString() + "/artifacts", JSON.createObjectNode()
                    .put("artifactType", "model-artifact").put("name", "model").put("uri", uri));
        }
        return mv;
    }

    /** The stored JSON of every model version, by id order. */
    public synchronized List<JsonNode> versions() {
        return List.copyOf(versions.values());
    }

    /** The stored JSON of every artifact, by id order. */
    public synchronized List<JsonNode> artifacts() {
        return List.copyOf(artifacts.values());
    }

    /** The stored JSON of every registered model, by id order. */
    public synchronized List<JsonNode> models() {
        return List.copyOf(models.values());
    }

    private static Set<String> union(Set<String> base, String... more) {
        java.util.HashSet<String> all = new java.util.HashSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    static ObjectNode error(int status, String message) {
        String code = switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Internal Server Error";
        };
        return JSON.createObjectNode().put("code", code).put("message", message);
    }

    private static ApiError fail(int status, String message) {
        return new ApiError(status, error(status, message));
    }

    /** Milliseconds that never go backwards and never repeat, like a database clock at ms resolution under load. */
    private long now() {
        lastMillis = Math.max(System.currentTimeMillis(), lastMillis + 1);
        return lastMillis;
    }

    private final class Api implements ResponseDefinitionTransformerV2 {

        private static final Pattern ONE = Pattern.compile("/(registered_models|model_versions|model_artifacts)/([^/]+)");
        private static final Pattern CHILDREN = Pattern.compile("/(registered_models/([^/]+)/versions|model_versions/([^/]+)/artifacts)");

        @Override
        public String getName() {
            return "switchboard-kubeflow-registry-fake";
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            var request = serveEvent.getRequest();
            URI url = URI.create(request.getUrl());
            Optional<Faults.Fault> fault = faults().take(url.getRawPath());
            if (fault.isPresent() && fault.get().kind() != Faults.Kind.SLOW) {
                return FakeHttp.fault(fault.get(), error(fault.get().status(), "injected fault"),
                        error(429, "rate limited"));
            }
            ResponseDefinition answer;
            String expected = expectedAuthorization;
            Map.Entry<String, String> user = expectedUserHeader;
            if (expected != null && !expected.equals(request.getHeader("Authorization"))) {
                answer = FakeHttp.json(401, error(401, "missing or invalid bearer token"));
            } else if (user != null && !user.getValue().equals(request.getHeader(user.getKey()))) {
                answer = FakeHttp.json(403, error(403, "missing or wrong " + user.getKey() + " header"));
            } else {
                try {
                    JsonNode body = null;
                    if (request.getBody() != null && request.getBody().length > 0) {
                        String type = request.getHeader("Content-Type");
                        if (type == null || !type.startsWith("application/json")) {
                            throw fail(400, "Content-Type must be application/json");
                        }
                        try {
                            body = JSON.readTree(request.getBody());
                        } catch (RuntimeException e) {
                            throw fail(400, "invalid JSON body");
                        }
                    }
                    String method = request.getMethod().getName();
                    JsonNode result;
                    synchronized (KubeflowRegistryFake.this) {
                        result = handle(method, url.getRawPath(), url.getRawQuery(), body);
                    }
                    answer = FakeHttp.json(method.equals("POST") ? 201 : 200, result);
                } catch (ApiError e) {
                    answer = FakeHttp.json(e.status, e.body);
                }
            }
            if (fault.isPresent()) {
                return ResponseDefinitionBuilder.like(answer).withFixedDelay((int) fault.get().delay().toMillis()).build();
            }
            return answer;
        }

        JsonNode handle(String method, String path, String rawQuery, JsonNode body) {
            if (!path.startsWith(API)) {
                throw fail(404, "no such path " + path);
            }
            String rest = path.substring(API.length());
            Map<String, String> q = FakeHttp.query(rawQuery);
            if (method.equals("DELETE")) {
                throw fail(405, "the model registry has no DELETE; archive with state ARCHIVED");
            }
            switch (rest) {
                case "/registered_models":
                    return method.equals("POST") ? createModel(body) : list(models, q, x -> true);
                case "/model_versions":
                    return method.equals("POST") ? createVersion(body, null) : list(versions, q, x -> true);
                case "/model_artifacts":
                    return list(artifacts, q, x -> true);
                case "/registered_model":
                    return findOne(models, q, null);
                case "/model_version":
                    return findOne(versions, q, "registeredModelId");
                case "/model_artifact":
                    return findOne(artifacts, q, "_parent");
                default:
                    break;
            }
            Matcher children = CHILDREN.matcher(rest);
            if (children.matches()) {
                if (children.group(2) != null) {
                    String rmId = children.group(2);
                    get(models, rmId, "registered model");
                    return method.equals("POST") ? createVersion(body, rmId)
                            : list(versions, q, v -> v.path("registeredModelId").asString().equals(rmId));
                }
                String mvId = children.group(3);
                get(versions, mvId, "model version");
                if (method.equals("POST")) {
                    return upsertArtifact(mvId, body);
                }
                return list(artifacts, q, a -> a.path("_parent").asString().equals(mvId)
                        && (!q.containsKey("artifactType") || q.get("artifactType").equals(a.path("artifactType").asString()))
                        && (!q.containsKey("name") || q.get("name").equals(a.path("name").asString())));
            }
            Matcher one = ONE.matcher(rest);
            if (one.matches()) {
                Map<String, ObjectNode> store = switch (one.group(1)) {
                    case "registered_models" -> models;
                    case "model_versions" -> versions;
                    default -> artifacts;
                };
                ObjectNode entity = get(store, one.group(2), one.group(1));
                if (method.equals("PATCH")) {
                    Set<String> allowed = store == models ? RM_FIELDS : store == versions ? MV_FIELDS : ARTIFACT_FIELDS;
                    check(body, allowed);
                    if (body.has("name") && !body.get("name").asString().equals(entity.path("name").asString())) {
                        throw fail(400, "name is immutable");
                    }
                    body.properties().forEach(e -> entity.set(e.getKey(), e.getValue()));
                    entity.put("lastUpdateTimeSinceEpoch", Long.toString(now()));
                } else if (!method.equals("GET")) {
                    throw fail(405, method + " is not allowed here");
                }
                return visible(entity);
            }
            throw fail(404, "no such path " + path);
        }

        private ObjectNode get(Map<String, ObjectNode> store, String id, String what) {
            ObjectNode entity = store.get(id);
            if (entity == null) {
                throw fail(404, "no " + what + " found for id " + id);
            }
            return entity;
        }

        private JsonNode findOne(Map<String, ObjectNode> store, Map<String, String> q, String parentField) {
            Predicate<ObjectNode> match;
            if (q.containsKey("externalId")) {
                match = e -> q.get("externalId").equals(e.path("externalId").asString(null));
            } else if (q.containsKey("name")) {
                if (parentField != null && !q.containsKey("parentResourceId")) {
                    throw fail(400, "name requires parentResourceId");
                }
                match = e -> q.get("name").equals(e.path("name").asString())
                        && (parentField == null || q.get("parentResourceId").equals(e.path(parentField).asString()));
            } else {
                throw fail(400, "find needs name or externalId");
            }
            return store.values().stream().filter(match).findFirst().map(this::visible)
                    .orElseThrow(() -> fail(404, "no entity found for " + q));
        }

        private JsonNode createModel(JsonNode body) {
            check(body, RM_FIELDS);
            String name = required(body, "name");
            if (models.values().stream().anyMatch(m -> m.path("name").asString().equals(name))) {
                throw fail(409, "registered model with name " + name + " already exists");
            }
            uniqueExternalId(models, body);
            ObjectNode rm = stamp((ObjectNode) body.deepCopy(), Long.toString(nextContextId.getAndIncrement()));
            rm.putIfAbsent("state", JSON.getNodeFactory().stringNode("LIVE"));
            models.put(rm.path("id").asString(), rm);
            return visible(rm);
        }

        private JsonNode createVersion(JsonNode body, String parentId) {
            check(body, MV_FIELDS);
            String name = required(body, "name");
            String rmId = parentId != null ? parentId : required(body, "registeredModelId");
            if (!models.containsKey(rmId)) {
                throw fail(404, "no registered model found for id " + rmId);
            }
            if (versions.values().stream().anyMatch(v -> v.path("registeredModelId").asString().equals(rmId)
                    && v.path("name").asString().equals(name))) {
                throw fail(409, "model version " + name + " already exists in registered model " + rmId);
            }
            uniqueExternalId(versions, body);
            ObjectNode mv = stamp((ObjectNode) body.deepCopy(), Long.toString(nextContextId.getAndIncrement()));
            mv.put("registeredModelId", rmId);
            mv.putIfAbsent("state", JSON.getNodeFactory().stringNode("LIVE"));
            versions.put(mv.path("id").asString(), mv);
            return visible(mv);
        }

        private JsonNode upsertArtifact(String mvId, JsonNode body) {
            check(body, ARTIFACT_FIELDS);
            String type = required(body, "artifactType");
            if (!type.equals("model-artifact") && !type.equals("doc-artifact")) {
                throw fail(400, "unsupported artifactType " + type);
            }
            uniqueExternalId(artifacts, body);
            ObjectNode artifact = stamp((ObjectNode) body.deepCopy(), Long.toString(nextArtifactId.getAndIncrement()));
            artifact.putIfAbsent("state", JSON.getNodeFactory().stringNode("UNKNOWN"));
            artifact.put("_parent", mvId);
            artifacts.put(artifact.path("id").asString(), artifact);
            return visible(artifact);
        }

        private void uniqueExternalId(Map<String, ObjectNode> store, JsonNode body) {
            String externalId = body.path("externalId").asString(null);
            if (externalId != null && store.values().stream()
                    .anyMatch(e -> externalId.equals(e.path("externalId").asString(null)))) {
                throw fail(409, "an entity with externalId " + externalId + " already exists");
            }
        }

        private ObjectNode stamp(ObjectNode entity, String id) {
            String at = Long.toString(now());
            entity.put("id", id);
            entity.put("createTimeSinceEpoch", at);
            entity.put("lastUpdateTimeSinceEpoch", at);
            if (!entity.has("customProperties")) {
                entity.set("customProperties", JSON.createObjectNode());
            }
            return entity;
        }

        private JsonNode visible(ObjectNode entity) {
            ObjectNode copy = entity.deepCopy();
            copy.remove("_parent");
            return copy;
        }

        private String required(JsonNode body, String field) {
            String value = body.path(field).asString("");
            if (value.isBlank()) {
                throw fail(422, "required field " + field + " is missing");
            }
            return value;
        }

        private void check(JsonNode body, Set<String> allowed) {
            if (body == null || !body.isObject()) {
                throw fail(400, "a JSON object body is required");
            }
            body.properties().forEach(e -> {
                if (!allowed.contains(e.getKey())) {
                    throw fail(400, "json: unknown field \"" + e.getKey() + "\"");
                }
            });
            if (body.has("customProperties")) {
                checkProperties(body.get("customProperties"));
            }
        }

        /** The typed values of the OpenAPI document: a discriminator, its one value key, nothing else. */
        private void checkProperties(JsonNode properties) {
            if (!properties.isObject()) {
                throw fail(400, "customProperties must be an object of MetadataValue");
            }
            properties.properties().forEach(e -> {
                JsonNode value = e.getValue();
                String type = value.path("metadataType").asString("");
                if (!value.isObject() || !TYPES.contains(type)) {
                    throw fail(400, "customProperties." + e.getKey() + ": metadataType must be one of " + TYPES
                            + ", was " + value);
                }
                Map<String, Predicate<JsonNode>> keys = switch (type) {
                    case "MetadataStringValue" -> Map.of("string_value", JsonNode::isString);
                    case "MetadataIntValue" -> Map.of("int_value", v -> v.isString() && v.asString().matches("-?\\d{1,10}")
                            && Long.parseLong(v.asString()) >= Integer.MIN_VALUE
                            && Long.parseLong(v.asString()) <= Integer.MAX_VALUE);
                    case "MetadataDoubleValue" -> Map.of("double_value", JsonNode::isNumber);
                    case "MetadataBoolValue" -> Map.of("bool_value", JsonNode::isBoolean);
                    case "MetadataStructValue" -> Map.of("struct_value", JsonNode::isString);
                    default -> Map.of("proto_value", JsonNode::isString, "type", JsonNode::isString);
                };
                value.properties().forEach(field -> {
                    if (!field.getKey().equals("metadataType") && !keys.containsKey(field.getKey())) {
                        throw fail(400, "customProperties." + e.getKey() + ": unknown field \"" + field.getKey()
                                + "\" for " + type);
                    }
                });
                keys.forEach((key, valid) -> {
                    if (!value.has(key) || !valid.test(value.get(key))) {
                        throw fail(400, "customProperties." + e.getKey() + ": " + type + " needs a valid " + key
                                + ", was " + value);
                    }
                });
            });
        }

        private JsonNode list(Map<String, ObjectNode> store, Map<String, String> q, Predicate<ObjectNode> filter) {
            String orderBy = q.getOrDefault("orderBy", "ID");
            String field = switch (orderBy) {
                case "ID" -> "id";
                case "CREATE_TIME" -> "createTimeSinceEpoch";
                case "LAST_UPDATE_TIME" -> "lastUpdateTimeSinceEpoch";
                default -> throw fail(400, "invalid orderBy " + orderBy);
            };
            String sortOrder = q.getOrDefault("sortOrder", "ASC");
            if (!sortOrder.equals("ASC") && !sortOrder.equals("DESC")) {
                throw fail(400, "invalid sortOrder " + sortOrder);
            }
            Comparator<ObjectNode> order = Comparator.<ObjectNode>comparingLong(e -> Long.parseLong(e.path(field).asString()))
                    .thenComparingLong(e -> Long.parseLong(e.path("id").asString()));
            if (sortOrder.equals("DESC")) {
                order = order.reversed();
            }
            List<ObjectNode> all = store.values().stream().filter(filter).sorted(order).toList();
            int pageSize = 0;
            if (q.containsKey("pageSize") && !q.get("pageSize").isEmpty()) {
                try {
                    pageSize = Integer.parseInt(q.get("pageSize"));
                } catch (NumberFormatException e) {
                    throw fail(400, "invalid pageSize " + q.get("pageSize"));
                }
            } else {
                listsWithoutPageSize++;
            }
            int from = 0;
            String token = q.get("nextPageToken");
            if (token != null && !token.isEmpty()) {
                String decoded = FakeHttp.untoken(token);
                String[] parts = decoded == null ? new String[0] : decoded.split(":");
                if (parts.length != 2 || !parts[0].equals(orderBy + "/" + sortOrder)) {
                    throw fail(400, "invalid nextPageToken");
                }
                from = -1;
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).path("id").asString().equals(parts[1])) {
                        from = i + 1;
                    }
                }
                if (from < 0) {
                    throw fail(400, "invalid nextPageToken");
                }
            }
            int to = pageSize <= 0 ? all.size() : Math.min(all.size(), from + pageSize);
            ArrayNode items = JSON.createArrayNode();
            all.subList(from, to).forEach(e -> items.add(visible(e)));
            ObjectNode page = JSON.createObjectNode();
            page.set("items", items);
            page.put("size", items.size());
            page.put("pageSize", pageSize);
            page.put("nextPageToken", to < all.size()
                    ? FakeHttp.token(orderBy + "/" + sortOrder + ":" + all.get(to - 1).path("id").asString()) : "");
            return page;
        }
    }
}
