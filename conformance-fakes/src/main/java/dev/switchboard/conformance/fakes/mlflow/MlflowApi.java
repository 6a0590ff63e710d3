package dev.switchboard.conformance.fakes.mlflow;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.switchboard.conformance.fakes.Faults;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The state and endpoints of the MLflow fake, answering every request WireMock receives. Behaves like an MLflow
 * 3 server with the SQL store: verbs per endpoint as the real handlers register them (registry searches GET-only,
 * {@code runs/search} POST-only), JSON bodies with {@code Content-Type: application/json}, offset page tokens,
 * per-endpoint {@code max_results} limits, string versions, and errors as {@code {"error_code", "message"}} with
 * MLflow's statuses ({@code RESOURCE_ALREADY_EXISTS} is 400). Unknown paths and wrong verbs get the web
 * framework's plain 404/405, as from Flask.
 */
final class MlflowApi implements ResponseDefinitionTransformerV2 {

    static final String API = "/api/2.0/mlflow/";
    static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
    /** MLflow 3's logged models ({@code POST logged-models}, {@code GET logged-models/<model id>}). */
    static final String LOGGED_MODELS = "logged-models";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern CLAUSE = Pattern.compile(
            "^\\s*((?:attributes\\.)?[a-z_]+|tags\\.(?:`[^`]+`|[\\w.\\-]+))\\s*(=|!=|>=|<=|>|<|(?i:ilike|like|in))\\s*(.+?)\\s*$");
    private static final Pattern AND = Pattern.compile("\\s+(?i:and)\\s+");

    private final MlflowFake fake;
    private final Map<String, Map<String, Function<Req, ObjectNode>>> endpoints = new HashMap<>();

    // State; guarded by "this".
    private final Map<String, Model> models = new TreeMap<>();
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final Map<String, RunState> runs = new LinkedHashMap<>();
    private final Map<String, byte[]> artifacts = new TreeMap<>();
    private final Map<String, LoggedModel> loggedModels = new LinkedHashMap<>();
    private int nextExperimentId;

    MlflowApi(MlflowFake fake) {
        this.fake = fake;
        registerEndpoints();
        reset();
    }

    @Override
    public String getName() {
        return "switchboard-mlflow-fake";
    }

    synchronized void reset() {
        models.clear();
        experiments.clear();
        runs.clear();
        artifacts.clear();
        loggedModels.clear();
        nextExperimentId = 1;
        Experiment defaultExperiment = new Experiment("0", "Default", "mlflow-artifacts:/0", fake.nowMillis());
        experiments.put("0", defaultExperiment);
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        var request = serveEvent.getRequest();
        URI url = URI.create(request.getUrl());
        String path = url.getRawPath();
        Optional<Faults.Fault> fault = fake.faults().take(path);
        if (fault.isPresent() && fault.get().kind() != Faults.Kind.SLOW) {
            return faultResponse(fault.get());
        }
        Response response;
        String authorization = request.getHeader("Authorization");
        if (!fake.acceptsAuthorization(authorization)) {
            response = Response.text(401, "You are not authenticated. Please see "
                    + "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to "
                    + "authenticate.").header("WWW-Authenticate", "Basic realm=\"mlflow\"");
        } else {
            String contentType = request.getHeader("Content-Type");
            response = handle(request.getMethod().getName(), path, url.getRawQuery(), contentType, request.getBody());
        }
        fake.flushWebhooks();
        ResponseDefinitionBuilder builder = new ResponseDefinitionBuilder().withStatus(response.status)
                .withHeader("Content-Type", response.contentType).withBody(response.body);
        response.headers.forEach(builder::withHeader);
        fault.ifPresent(slow -> builder.withFixedDelay((int) slow.delay().toMillis()));
        return builder.build();
    }

    private ResponseDefinition faultResponse(Faults.Fault fault) {
        return switch (fault.kind()) {
            case CONNECTION_RESET -> new ResponseDefinitionBuilder()
                    .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
            case RATE_LIMITED -> new ResponseDefinitionBuilder().withStatus(429)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("Retry-After", Long.toString(fault.delay().toSeconds()))
                    .withBody(error("REQUEST_LIMIT_EXCEEDED", "Too many requests").toString()).build();
            default -> new ResponseDefinitionBuilder().withStatus(fault.status())
                    .withHeader("Content-Type", "application/json")
                    .withBody(error(fault.status() == 503 ? "TEMPORARILY_UNAVAILABLE" : "INTERNAL_ERROR",
                            "injected fault").toString()).build();
        };
    }

    /** Handles one request; also the entry point of the fake's seeding methods (no HTTP, no auth). */
    synchronized Response handle(String method, String path, String rawQuery, String contentType, byte[] body) {
        try {
            if (path.equals(ARTIFACTS) || path.startsWith(ARTIFACTS + "/")) {
                return artifacts(method, path, parseQuery(rawQuery), body);
            }
            if (!path.startsWith(API)) {
                return Response.text(404, notFoundPage());
            }
            String endpoint = path.substring(API.length());
            if (endpoint.startsWith(LOGGED_MODELS + "/") && !fake.isMlflow2()) {
                String id = URLDecoder.decode(endpoint.substring(LOGGED_MODELS.length() + 1), StandardCharsets.UTF_8);
                if (!method.equals("GET")) {
                    return Response.text(405, "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
                            + "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n");
                }
                return Response.json(200, wrap("model", loggedModelJson(loggedModel(id))));
            }
            Map<String, Function<Req, ObjectNode>> byMethod = endpoints.get(endpoint);
            if (byMethod == null) {
                return Response.text(404, notFoundPage());
            }
            Function<Req, ObjectNode> handler = byMethod.get(method);
            if (handler == null) {
                return Response.text(405, "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
                        + "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n");
            }
            JsonNode json = JSON.createObjectNode();
            if (!method.equals("GET")) {
                if ((method.equals("POST") || method.equals("PATCH"))
                        && (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json"))) {
                    throw new ApiError(400, "INVALID_PARAMETER_VALUE",
                            "Content-Type must be one of [application/json], got " + contentType);
                }
                if (body != null && body.length > 0) {
                    try {
                        json = JSON.readTree(body);
                    } catch (RuntimeException e) {
                        throw new ApiError(400, "MALFORMED_REQUEST", "Failed to parse request body as JSON");
                    }
                }
            }
            return Response.json(200, handler.apply(new Req(method, parseQuery(rawQuery), json)));
        } catch (ApiError e) {
            return Response.json(e.status, error(e.code, e.getMessage()));
        }
    }

    private static String notFoundPage() {
        return "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                + "<p>The requested URL was not found on the server.</p>\n";
    }

    private void registerEndpoints() {
        on("registered-models/create", "POST", this::createModel);
        on("registered-models/get", "GET", r -> wrap("registered_model", modelJson(model(r.required("name")))));
        on("registered-models/search", "GET", this::searchModels);
        on("registered-models/update", "PATCH", this::updateModel);
        on("registered-models/delete", "DELETE", r -> {
            models.remove(model(r.required("name")).name);
            return empty();
        });
        on("registered-models/set-tag", "POST", r -> {
            Model model = model(r.required("name"));
            model.tags.put(r.required("key"), r.str("value", ""));
            return empty();
        });
        on("registered-models/delete-tag", "DELETE", r -> {
            model(r.required("name")).tags.remove(r.required("key"));
            return empty();
        });
        on("registered-models/alias", "POST", this::setAlias);
        on("registered-models/alias", "DELETE", this::deleteAlias);
        on("registered-models/alias", "GET", this::getByAlias);
        on("registered-models/get-latest-versions", "GET", this::latestVersions);
        on("registered-models/get-latest-versions", "POST", this::latestVersions);
        on("model-versions/create", "POST", this::createVersion);
        on("model-versions/get", "GET", r -> wrap("model_version", versionJsonWithAliases(version(r))));
        on("model-versions/search", "GET", this::searchVersions);
        on("model-versions/update", "PATCH", r -> {
            Version version = version(r);
            version.description = r.str("description", version.description);
            version.updated = fake.nowMillis();
            return wrap("model_version", versionJson(version));
        });
        on("model-versions/transition-stage", "POST", this::transitionStage);
        on("model-versions/delete", "DELETE", r -> {
            Version version = version(r);
            models.get(version.name).versions.remove(version.number);
            return empty();
        });
        on("model-versions/set-tag", "POST", this::setVersionTag);
        on("model-versions/delete-tag", "DELETE", this::deleteVersionTag);
        on("model-versions/get-download-uri", "GET", r -> {
            ObjectNode out = JSON.createObjectNode();
            out.put("artifact_uri", version(r).source);
            return out;
        });
        on("experiments/create", "POST", this::createExperiment);
        on(LOGGED_MODELS, "POST", this::createLoggedModel);
        on("experiments/get", "GET", r -> wrap("experiment", experimentJson(experiment(r.required("experiment_id")))));
        on("experiments/get-by-name", "GET", r -> wrap("experiment", experimentJson(experiments.values().stream()
                .filter(e -> e.name.equals(r.required("experiment_name"))).findFirst()
                .orElseThrow(() -> notFound("Could not find experiment with name " + r.required("experiment_name"))))));
        on("experiments/search", "GET", this::searchExperiments);
        on("experiments/search", "POST", this::searchExperiments);
        on("runs/create", "POST", this::createRun);
        on("runs/get", "GET", r -> wrap("run", runJson(run(r.str("run_id", r.str("run_uuid", null))))));
        on("runs/search", "POST", this::searchRuns);
        on("runs/update", "POST", r -> {
            RunState run = run(r.required("run_id"));
            run.status = r.str("status", run.status);
            run.endTime = r.longValue("end_time", run.endTime);
            return wrap("run_info", runJson(run).get("info"));
        });
        on("runs/log-parameter", "POST", r -> {
            RunState run = run(r.required("run_id"));
            String key = r.required("key");
            String value = r.required("value");
            if (run.params.containsKey(key) && !run.params.get(key).equals(value)) {
                throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param "
                        + "with key='" + key + "' was already logged with value='" + run.params.get(key) + "'");
            }
            run.params.put(key, value);
            return empty();
        });
        on("runs/log-metric", "POST", r -> {
            RunState run = run(r.required("run_id"));
            String key = r.required("key");
            run.metrics.put(key, Double.parseDouble(r.required("value")));
            run.metricTimes.put(key, r.longValue("timestamp", fake.nowMillis()));
            return empty();
        });
        on("runs/set-tag", "POST", r -> {
            run(r.required("run_id")).tags.put(r.required("key"), r.str("value", ""));
            return empty();
        });
    }

    private void on(String endpoint, String method, Function<Req, ObjectNode> handler) {
        endpoints.computeIfAbsent(endpoint, e -> new HashMap<>()).put(method, handler);
    }

    // ---------------------------------------------------------------- registry

    private ObjectNode createModel(Req r) {
        String name = r.required("name");
        if (name.contains("%")) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid model name: '" + name + "'. Names cannot contain %.");
        }
        if (models.containsKey(name)) {
            throw new ApiError(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name + ") already exists.");
        }
        long now = fake.nowMillis();
        Model model = new Model(name, now);
        model.description = r.str("description", null);
        model.tags.putAll(r.tags());
        models.put(name, model);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", name);
        data.put("tags", new LinkedHashMap<>(model.tags));
        data.put("description", model.description);
        fake.emitWebhook("registered_model", "created", data);
        return wrap("registered_model", modelJson(model));
    }

    private ObjectNode updateModel(Req r) {
        Model model = model(r.required("name"));
        model.description = r.str("description", model.description);
        model.updated = fake.nowMillis();
        return wrap("registered_model", modelJson(model));
    }

    private ObjectNode searchModels(Req r) {
        int max = r.maxResults(100, 1000);
        Predicate<Model> filter = modelFilter(r.str("filter", null));
        Comparator<Model> order = Comparator.comparing(m -> m.name);
        for (String clause : r.list("order_by")) {
            String[] parts = clause.trim().split("\\s+");
            Comparator<Model> by = switch (parts[0]) {
                case "name" -> Comparator.comparing(m -> m.name);
                case "last_updated_timestamp", "timestamp" -> Comparator.comparingLong(m -> m.updated);
                default -> throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid order by key '" + parts[0]
                        + "' specified. Valid keys are 'name', 'timestamp', 'last_updated_timestamp'");
            };
            order = parts.length > 1 && parts[1].equalsIgnoreCase("DESC") ? by.reversed() : by;
        }
        List<Model> all = models.values().stream().filter(filter).sorted(order).toList();
        return page(all, r, max, "registered_models", this::modelJson);
    }

    private Predicate<Model> modelFilter(String filter) {
        Predicate<Model> result = m -> true;
        for (Clause clause : clauses(filter)) {
            Predicate<Model> one = switch (clause.key) {
                case "name" -> m -> clause.matches(m.name);
                default -> {
                    if (clause.key.startsWith("tags.")) {
                        yield m -> clause.matches(m.tags.get(clause.tagKey()));
                    }
                    throw badFilter(filter);
                }
            };
            result = result.and(one);
        }
        return result;
    }

    private ObjectNode setAlias(Req r) {
        Model model = model(r.required("name"));
        String alias = r.required("alias");
        String versionText = r.required("version");
        if (alias.equalsIgnoreCase("latest") || alias.matches("(?i)v\\d+")) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "'" + alias + "' alias name (case insensitive) is "
                    + "reserved.");
        }
        version(model.name, versionText);
        model.aliases.put(alias, versionText);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", model.name);
        data.put("alias", alias);
        data.put("version", versionText);
        fake.emitWebhook("model_version_alias", "created", data);
        return empty();
    }

    private ObjectNode deleteAlias(Req r) {
        Model model = model(r.required("name"));
        String alias = r.required("alias");
        model.aliases.remove(alias);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", model.name);
        data.put("alias", alias);
        fake.emitWebhook("model_version_alias", "deleted", data);
        return empty();
    }

    private ObjectNode getByAlias(Req r) {
        Model model = model(r.required("name"));
        String alias = r.required("alias");
        String version = model.aliases.get(alias);
        if (version == null) {
            throw notFound("Registered model alias " + alias + " not found.");
        }
        return wrap("model_version", versionJsonWithAliases(version(model.name, version)));
    }

    private ObjectNode latestVersions(Req r) {
        Model model = model(r.required("name"));
        List<String> stages = r.list("stages");
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("model_versions");
        Map<String, Version> latest = new TreeMap<>();
        model.versions.values().forEach(v -> latest.put(v.stage, v));
        latest.values().stream().filter(v -> stages.isEmpty() || stages.stream().anyMatch(v.stage::equalsIgnoreCase))
                .forEach(v -> list.add(versionJson(v)));
        return out;
    }

    private ObjectNode createVersion(Req r) {
        String name = r.required("name");
        String source = r.required("source");
        Model model = model(name);
        if (source.contains("..")) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid model version source: '" + source
                    + "'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow "
                    + "artifacts uri, an absolute path must be provided without plain or URL-encoded path traversal "
                    + "sequences (e.g. '..').");
        }
        long now = fake.nowMillis();
        int number = model.versions.isEmpty() ? 1 : model.versions.lastKey() + 1;
        Version version = new Version(name, number, now);
        version.source = source;
        version.runId = r.str("run_id", null);
        version.runLink = r.str("run_link", null);
        version.description = r.str("description", "");
        version.tags.putAll(r.tags());
        version.modelId = r.str("model_id", source.startsWith("models:/m-") ? source.substring("models:/".length())
                .split("/")[0] : null);
        if (version.modelId != null && !fake.isMlflow2()) {
            LoggedModel logged = loggedModels.get(version.modelId);
            if (logged == null) {
                // What MLflow 3.6 answers for a models:/m-… source it has no logged model for (a source copied
                // from another server): an unhandled error, HTTP 500, not RESOURCE_DOES_NOT_EXIST.
                throw new ApiError(500, "INTERNAL_ERROR", "Logged model with ID '" + version.modelId + "' not found.");
            }
            if (version.runId == null) {
                version.runId = logged.sourceRunId; // MLflow 3 links the version to the logged model's run
            }
        } else if (source.startsWith("models:/")) {
            // MLflow 2.x resolves models:/<name>/<version> only; a logged-model id is unknown there
            version.modelId = null;
        }
        model.versions.put(number, version);
        model.updated = now;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", name);
        data.put("version", Integer.toString(number));
        data.put("source", source);
        data.put("run_id", version.runId);
        data.put("tags", new LinkedHashMap<>(version.tags));
        data.put("description", version.description);
        fake.emitWebhook("model_version", "created", data);
        return wrap("model_version", versionJson(version));
    }

    private ObjectNode searchVersions(Req r) {
        int max = r.maxResults(200_000, 200_000);
        Predicate<Version> filter = versionFilter(r.str("filter", null));
        Comparator<Version> order = Comparator.<Version, String>comparing(v -> v.name)
                .thenComparing(Comparator.<Version>comparingInt(v -> v.number).reversed());
        List<String> orderBy = r.list("order_by");
        if (!orderBy.isEmpty()) {
            order = null;
            for (String clause : orderBy) {
                String[] parts = clause.trim().split("\\s+");
                Comparator<Version> by = switch (parts[0]) {
                    case "name" -> Comparator.comparing(v -> v.name);
                    case "version_number" -> Comparator.comparingInt(v -> v.number);
                    case "creation_timestamp" -> Comparator.comparingLong(v -> v.created);
                    case "last_updated_timestamp" -> Comparator.comparingLong(v -> v.updated);
                    default -> throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid order by key '"
                            + parts[0] + "' specified.");
                };
                by = parts.length > 1 && parts[1].equalsIgnoreCase("DESC") ? by.reversed() : by;
                order = order == null ? by : order.thenComparing(by);
            }
        }
        List<Version> all = models.values().stream().flatMap(m -> m.versions.values().stream()).filter(filter)
                .sorted(order).toList();
        return page(all, r, max, "model_versions", this::versionJson);
    }

    private Predicate<Version> versionFilter(String filter) {
        Predicate<Version> result = v -> true;
        for (Clause clause : clauses(filter)) {
            Predicate<Version> one = switch (clause.key) {
                case "name" -> v -> clause.matches(v.name);
                case "run_id" -> v -> clause.matches(v.runId);
                case "source_path" -> v -> clause.matches(v.source);
                default -> {
                    if (clause.key.startsWith("tags.")) {
                        yield v -> clause.matches(v.tags.get(clause.tagKey()));
                    }
                    throw badFilter(filter);
                }
            };
            result = result.and(one);
        }
        return result;
    }

    private ObjectNode transitionStage(Req r) {
        Version version = version(r);
        String stage = canonicalStage(r.required("stage"));
        if (r.body.get("archive_existing_versions") == null) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter "
                    + "'archive_existing_versions'. See the API docs for more information about request parameters.");
        }
        long now = fake.nowMillis();
        if (r.body.get("archive_existing_versions").asBoolean() && (stage.equals("Staging") || stage.equals("Production"))) {
            models.get(version.name).versions.values().stream()
                    .filter(other -> other != version && other.stage.equals(stage))
                    .forEach(other -> {
                        other.stage = "Archived";
                        other.updated = now;
                    });
        }
        version.stage = stage;
        version.updated = now;
        models.get(version.name).updated = now; // the recordings: the model's time follows a stage transition
        return wrap("model_version", versionJson(version));
    }

    private static String canonicalStage(String stage) {
        for (String known : List.of("None", "Staging", "Production", "Archived")) {
            if (known.equalsIgnoreCase(stage)) {
                return known;
            }
        }
        throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: " + stage
                + ". Value must be one of None, Staging, Production, Archived.");
    }

    private ObjectNode setVersionTag(Req r) {
        Version version = version(r);
        String key = r.required("key");
        String value = r.str("value", "");
        version.tags.put(key, value);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", version.name);
        data.put("version", Integer.toString(version.number));
        data.put("key", key);
        data.put("value", value);
        fake.emitWebhook("model_version_tag", "set", data);
        return empty();
    }

    private ObjectNode deleteVersionTag(Req r) {
        Version version = version(r);
        String key = r.required("key");
        if (version.tags.remove(key) == null) {
            throw notFound("Model version tag with name=" + version.name + ", version=" + version.number
                    + ", key=" + key + " not found");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", version.name);
        data.put("version", Integer.toString(version.number));
        data.put("key", key);
        fake.emitWebhook("model_version_tag", "deleted", data);
        return empty();
    }

    // ---------------------------------------------------------------- logged models (MLflow 3)

    private ObjectNode createLoggedModel(Req r) {
        if (fake.isMlflow2()) {
            throw new ApiError(404, "ENDPOINT_NOT_FOUND", "logged models need MLflow 3");
        }
        Experiment experiment = experiment(r.required("experiment_id"));
        String id = "m-" + UUID.randomUUID().toString().replace("-", "");
        long now = fake.nowMillis();
        LoggedModel model = new LoggedModel(id, experiment.id, r.str("name", "model"), r.str("source_run_id", null),
                experiment.artifactLocation + "/models/" + id + "/artifacts", now);
        model.tags.putAll(r.tags());
        loggedModels.put(id, model);
        return wrap("model", loggedModelJson(model));
    }

    private LoggedModel loggedModel(String id) {
        LoggedModel model = loggedModels.get(id);
        if (model == null) {
            throw notFound("Logged model with ID '" + id + "' not found.");
        }
        return model;
    }

    /** {@code LoggedModel} of MLflow 3's {@code service.proto}: {@code {info, data}} (not in the recordings). */
    private ObjectNode loggedModelJson(LoggedModel model) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode info = out.putObject("info");
        info.put("model_id", model.id);
        info.put("experiment_id", model.experimentId);
        info.put("name", model.name);
        info.put("creation_timestamp_ms", model.created);
        info.put("last_updated_timestamp_ms", model.created);
        info.put("artifact_uri", model.artifactUri);
        info.put("status", "LOGGED_MODEL_READY");
        if (model.sourceRunId != null) {
            info.put("source_run_id", model.sourceRunId);
        }
        tags(info, model.tags);
        out.putObject("data");
        return out;
    }

    // ---------------------------------------------------------------- tracking

    private ObjectNode createExperiment(Req r) {
        String name = r.required("name");
        if (experiments.values().stream().anyMatch(e -> e.name.equals(name))) {
            throw new ApiError(400, "RESOURCE_ALREADY_EXISTS", "Experiment(name=" + name + ") already exists.");
        }
        String id = Integer.toString(nextExperimentId++);
        Experiment experiment = new Experiment(id, name, r.str("artifact_location", "mlflow-artifacts:/" + id),
                fake.nowMillis());
        experiment.tags.putAll(r.tags());
        experiments.put(id, experiment);
        ObjectNode out = JSON.createObjectNode();
        out.put("experiment_id", id);
        return out;
    }

    private ObjectNode searchExperiments(Req r) {
        int max = r.maxResults(1000, 50_000);
        return page(List.copyOf(experiments.values()), r, max, "experiments", this::experimentJson);
    }

    private ObjectNode createRun(Req r) {
        Experiment experiment = experiment(r.str("experiment_id", "0"));
        String id = UUID.randomUUID().toString().replace("-", "");
        RunState run = new RunState(id, experiment.id, r.str("run_name", "run-" + id.substring(0, 6)),
                r.longValue("start_time", fake.nowMillis()), experiment.artifactLocation + "/" + id + "/artifacts");
        run.tags.putAll(r.tags());
        run.tags.put("mlflow.runName", run.name); // the server adds it, as the recordings show
        run.userId = r.str("user_id", "");
        runs.put(id, run);
        return wrap("run", runJson(run));
    }

    private ObjectNode searchRuns(Req r) {
        List<String> experimentIds = r.list("experiment_ids");
        int max = r.maxResults(1000, 50_000);
        Predicate<RunState> filter = runFilter(r.str("filter", null));
        Comparator<RunState> order = Comparator.<RunState>comparingLong(run -> run.startTime).reversed();
        for (String clause : r.list("order_by")) {
            String[] parts = clause.trim().split("\\s+");
            String key = parts[0].replace("attributes.", "");
            Comparator<RunState> by = switch (key) {
                case "start_time" -> Comparator.comparingLong(run -> run.startTime);
                case "run_name" -> Comparator.comparing(run -> run.name);
                default -> throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid order_by entity: " + key);
            };
            order = parts.length > 1 && parts[1].equalsIgnoreCase("DESC") ? by.reversed() : by;
        }
        List<RunState> all = runs.values().stream().filter(run -> experimentIds.contains(run.experimentId))
                .filter(filter).sorted(order).toList();
        return page(all, r, max, "runs", this::runJson);
    }

    private Predicate<RunState> runFilter(String filter) {
        Predicate<RunState> result = run -> true;
        for (Clause clause : clauses(filter)) {
            String key = clause.key.replace("attributes.", "");
            Predicate<RunState> one = switch (key) {
                case "start_time" -> run -> clause.compare(run.startTime);
                case "end_time" -> run -> run.endTime != null && clause.compare(run.endTime);
                case "status" -> run -> clause.matches(run.status);
                case "run_name" -> run -> clause.matches(run.name);
                default -> throw badFilter(filter);
            };
            result = result.and(one);
        }
        return result;
    }

    // ---------------------------------------------------------------- artifacts

    private Response artifacts(String method, String path, Map<String, List<String>> query, byte[] body) {
        String artifact = path.length() <= ARTIFACTS.length() + 1 ? ""
                : URLDecoder.decode(path.substring(ARTIFACTS.length() + 1), StandardCharsets.UTF_8);
        if (artifact.contains("..")) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid path");
        }
        switch (method) {
            case "GET" -> {
                if (artifact.isEmpty()) {
                    return Response.json(200, listArtifacts(query.getOrDefault("path", List.of("")).get(0)));
                }
                byte[] bytes = artifacts.get(artifact);
                if (bytes == null) {
                    throw notFound("File not found: " + artifact);
                }
                return new Response(200, "application/octet-stream", bytes, new LinkedHashMap<>())
                        .header("Content-Disposition", "attachment; filename=" + artifact.substring(artifact.lastIndexOf('/') + 1));
            }
            case "PUT" -> {
                artifacts.put(artifact, body == null ? new byte[0] : body);
                return Response.json(200, empty());
            }
            case "DELETE" -> {
                artifacts.keySet().removeIf(key -> key.equals(artifact) || key.startsWith(artifact + "/"));
                return Response.json(200, empty());
            }
            default -> {
                return Response.text(405, "Method Not Allowed");
            }
        }
    }

    private ObjectNode listArtifacts(String directory) {
        String prefix = directory.isEmpty() || directory.endsWith("/") ? directory : directory + "/";
        Map<String, ObjectNode> entries = new TreeMap<>();
        artifacts.forEach((key, bytes) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String rest = key.substring(prefix.length());
            int slash = rest.indexOf('/');
            ObjectNode entry = JSON.createObjectNode();
            entry.put("path", slash < 0 ? rest : rest.substring(0, slash));
            entry.put("is_dir", slash >= 0);
            if (slash < 0) {
                entry.put("file_size", bytes.length);
            }
            entries.putIfAbsent(entry.get("path").asString(), entry);
        });
        ObjectNode out = JSON.createObjectNode();
        if (!entries.isEmpty()) {
            out.putArray("files").addAll(entries.values());
        }
        return out;
    }

    // ---------------------------------------------------------------- JSON

    private ObjectNode modelJson(Model model) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", model.name);
        out.put("creation_timestamp", model.created);
        out.put("last_updated_timestamp", model.updated);
        if (model.description != null) {
            out.put("description", model.description);
        }
        tags(out, model.tags);
        if (!model.aliases.isEmpty()) {
            ArrayNode aliases = out.putArray("aliases");
            model.aliases.forEach((alias, version) -> aliases.addObject().put("alias", alias).put("version", version));
        }
        if (!model.versions.isEmpty()) {
            Map<String, Version> latest = new TreeMap<>();
            model.versions.values().forEach(v -> latest.put(v.stage, v));
            ArrayNode list = out.putArray("latest_versions");
            latest.values().forEach(v -> list.add(versionJson(v)));
        }
        return out;
    }

    private ObjectNode versionJson(Version version) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", version.name);
        out.put("version", Integer.toString(version.number));
        out.put("creation_timestamp", version.created);
        out.put("last_updated_timestamp", version.updated);
        out.put("current_stage", version.stage);
        out.put("description", version.description);
        out.put("source", version.source);
        if (version.runId != null) {
            out.put("run_id", version.runId);
        }
        out.put("status", "READY");
        out.put("run_link", version.runLink == null ? "" : version.runLink);
        tags(out, version.tags);
        if (version.modelId != null) {
            out.put("model_id", version.modelId);
        }
        return out;
    }

    /**
     * A version as {@code model-versions/get} and {@code registered-models/alias} answer it: with its
     * {@code aliases}. Every other answer ({@code model-versions/search}, {@code latest_versions}, create, update,
     * transition) has none, as the real SQL store answers (recordings of MLflow 2.12 and 3.6).
     */
    private ObjectNode versionJsonWithAliases(Version version) {
        ObjectNode out = versionJson(version);
        List<String> aliases = models.get(version.name).aliases.entrySet().stream()
                .filter(e -> e.getValue().equals(Integer.toString(version.number))).map(Map.Entry::getKey).sorted()
                .toList();
        if (!aliases.isEmpty()) {
            ArrayNode list = out.putArray("aliases");
            aliases.forEach(list::add);
        }
        return out;
    }

    private ObjectNode experimentJson(Experiment experiment) {
        ObjectNode out = JSON.createObjectNode();
        out.put("experiment_id", experiment.id);
        out.put("name", experiment.name);
        out.put("artifact_location", experiment.artifactLocation);
        out.put("lifecycle_stage", "active");
        out.put("last_update_time", experiment.created);
        out.put("creation_time", experiment.created);
        tags(out, experiment.tags);
        return out;
    }

    private ObjectNode runJson(RunState run) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode info = out.putObject("info");
        info.put("run_id", run.id);
        info.put("run_uuid", run.id);
        info.put("run_name", run.name);
        info.put("experiment_id", run.experimentId);
        info.put("user_id", run.userId);
        info.put("status", run.status);
        info.put("start_time", run.startTime);
        if (run.endTime != null) {
            info.put("end_time", run.endTime);
        }
        info.put("artifact_uri", run.artifactUri);
        info.put("lifecycle_stage", "active");
        ObjectNode data = out.putObject("data");
        if (!run.metrics.isEmpty()) {
            ArrayNode metrics = data.putArray("metrics");
            run.metrics.forEach((key, value) -> metrics.addObject().put("key", key).put("value", value)
                    .put("timestamp", run.metricTimes.getOrDefault(key, run.startTime)).put("step", 0));
        }
        if (!run.params.isEmpty()) {
            ArrayNode params = data.putArray("params");
            run.params.forEach((key, value) -> params.addObject().put("key", key).put("value", value));
        }
        tags(data, run.tags);
        out.putObject("inputs");
        if (!fake.isMlflow2()) {
            out.putObject("outputs"); // MLflow 3 runs have outputs (logged models); 2.x answers have none
        }
        return out;
    }

    private static void tags(ObjectNode out, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            ArrayNode list = out.putArray("tags");
            tags.forEach((key, value) -> list.addObject().put("key", key).put("value", value));
        }
    }

    private static ObjectNode wrap(String field, JsonNode value) {
        ObjectNode out = JSON.createObjectNode();
        out.set(field, value);
        return out;
    }

    private static ObjectNode empty() {
        return JSON.createObjectNode();
    }

    static ObjectNode error(String code, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error_code", code);
        out.put("message", message);
        return out;
    }

    /** Offset paging as MLflow's SQL store does it: the token is base64 of {@code {"offset": N}}. */
    private <T> ObjectNode page(List<T> all, Req r, int max, String field, Function<T, ObjectNode> toJson) {
        int offset = 0;
        String token = r.str("page_token", null);
        if (token != null && !token.isEmpty()) {
            try {
                offset = JSON.readTree(Base64.getDecoder().decode(token)).get("offset").asInt();
            } catch (RuntimeException e) {
                throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid page token, could not base64-decode");
            }
        }
        List<T> slice = all.subList(Math.min(offset, all.size()), Math.min(offset + max, all.size()));
        ObjectNode out = JSON.createObjectNode();
        if (!slice.isEmpty()) {
            ArrayNode items = out.putArray(field);
            slice.forEach(item -> items.add(toJson.apply(item)));
        }
        if (offset + max < all.size()) {
            out.put("next_page_token", Base64.getEncoder().encodeToString(
                    ("{\"offset\": " + (offset + max) + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    // ---------------------------------------------------------------- lookups

    private Model model(String name) {
        Model model = models.get(name);
        if (model == null) {
            throw notFound("Registered Model with name=" + name + " not found");
        }
        return model;
    }

    private Version version(Req r) {
        return version(r.required("name"), r.required("version"));
    }

    private Version version(String name, String versionText) {
        Model model = model(name);
        Version version = null;
        try {
            version = model.versions.get(Integer.parseInt(versionText));
        } catch (NumberFormatException e) {
            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Model version must be an integer, got '"
                    + versionText + "'");
        }
        if (version == null) {
            throw notFound("Model Version (name=" + name + ", version=" + versionText + ") not found");
        }
        return version;
    }

    private Experiment experiment(String id) {
        Experiment experiment = experiments.get(id);
        if (experiment == null) {
            throw notFound("No Experiment with id=" + id + " exists");
        }
        return experiment;
    }

    private RunState run(String id) {
        RunState run = id == null ? null : runs.get(id);
        if (run == null) {
            throw notFound("Run with id=" + id + " not found");
        }
        return run;
    }

    private static ApiError notFound(String message) {
        return new ApiError(404, "RESOURCE_DOES_NOT_EXIST", message);
    }

    private static ApiError badFilter(String filter) {
        return new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid filter '" + filter + "'");
    }

    private static List<Clause> clauses(String filter) {
        if (filter == null || filter.isBlank()) {
            return List.of();
        }
        List<Clause> clauses = new ArrayList<>();
        for (String part : AND.split(filter.trim())) {
            Matcher m = CLAUSE.matcher(part);
            if (!m.matches()) {
                throw badFilter(filter);
            }
            clauses.add(new Clause(m.group(1), m.group(2).toUpperCase(Locale.ROOT), m.group(3), filter));
        }
        return clauses;
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    // ---------------------------------------------------------------- types

    /** One comparison of MLflow's search grammar. */
    private record Clause(String key, String op, String literal, String filter) {

        String tagKey() {
            String key = this.key.substring("tags.".length());
            return key.startsWith("`") ? key.substring(1, key.length() - 1) : key;
        }

        boolean matches(String actual) {
            if (op.equals("IN")) {
                String inner = literal.trim();
                if (!inner.startsWith("(") || !inner.endsWith(")")) {
                    throw badFilter(filter);
                }
                return actual != null && List.of(inner.substring(1, inner.length() - 1).split(",")).stream()
                        .map(v -> unquote(v.trim())).anyMatch(actual::equals);
            }
            String value = unquote(literal);
            return switch (op) {
                case "=" -> value.equals(actual);
                case "!=" -> actual != null && !value.equals(actual);
                case "LIKE" -> actual != null && actual.matches(likePattern(value));
                case "ILIKE" -> actual != null && actual.toLowerCase(Locale.ROOT)
                        .matches(likePattern(value.toLowerCase(Locale.ROOT)));
                default -> throw badFilter(filter);
            };
        }

        boolean compare(long actual) {
            long value;
            try {
                value = Long.parseLong(literal.trim());
            } catch (NumberFormatException e) {
                throw badFilter(filter);
            }
            return switch (op) {
                case "=" -> actual == value;
                case "!=" -> actual != value;
                case ">" -> actual > value;
                case ">=" -> actual >= value;
                case "<" -> actual < value;
                case "<=" -> actual <= value;
                default -> throw badFilter(filter);
            };
        }

        private String unquote(String text) {
            String t = text.trim();
            if (t.length() < 2 || !(t.startsWith("'") && t.endsWith("'") || t.startsWith("\"") && t.endsWith("\""))) {
                throw badFilter(filter);
            }
            return t.substring(1, t.length() - 1).replace("\\'", "'").replace("\\\\", "\\");
        }

        private static String likePattern(String like) {
            StringBuilder regex = new StringBuilder();
            for (char c : like.toCharArray()) {
                regex.append(c == '%' ? ".*" : c == '_' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return regex.toString();
        }
    }

    /** The parameters of one request: the query string for GET, the JSON body otherwise. */
    private record Req(String method, Map<String, List<String>> query, JsonNode body) {

        String str(String name, String fallback) {
            if (method.equals("GET")) {
                List<String> values = query.get(name);
                return values == null || values.isEmpty() ? fallback : values.get(0);
            }
            JsonNode value = body.get(name);
            return value == null || value.isNull() ? fallback : value.asString();
        }

        String required(String name) {
            String value = str(name, null);
            if (value == null || value.isEmpty()) {
                throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '" + name
                        + "'. See the API docs for more information about request parameters.");
            }
            return value;
        }

        Long longValue(String name, Long fallback) {
            String value = str(name, null);
            try {
                return value == null ? fallback : Long.valueOf(value);
            } catch (NumberFormatException e) {
                throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid value " + value + " for parameter '"
                        + name + "' supplied.");
            }
        }

        List<String> list(String name) {
            if (method.equals("GET")) {
                return query.getOrDefault(name, List.of());
            }
            JsonNode value = body.get(name);
            List<String> list = new ArrayList<>();
            if (value != null && value.isArray()) {
                value.forEach(item -> list.add(item.asString()));
            }
            return list;
        }

        int maxResults(int fallback, int limit) {
            long max = longValue("max_results", (long) fallback);
            if (max < 1 || max > limit) {
                throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid value " + max + " for parameter "
                        + "'max_results' supplied. It must be at most " + limit + ", but got value " + max);
            }
            return (int) max;
        }

        Map<String, String> tags() {
            Map<String, String> tags = new LinkedHashMap<>();
            JsonNode list = body.get("tags");
            if (list != null && list.isArray()) {
                list.forEach(tag -> tags.put(tag.path("key").asString(), tag.path("value").asString("")));
            }
            return tags;
        }
    }

    /** An MLflow error: {@code {"error_code": code, "message": message}} with {@code status}. */
    static final class ApiError extends RuntimeException {

        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /** An answer before it becomes a WireMock response. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

        static Response json(int status, JsonNode body) {
            return new Response(status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8),
                    new LinkedHashMap<>());
        }

        static Response text(int status, String body) {
            return new Response(status, "text/html; charset=utf-8", body.getBytes(StandardCharsets.UTF_8),
                    new LinkedHashMap<>());
        }

        Response header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final class Model {
        final String name;
        final long created;
        long updated;
        String description;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> aliases = new LinkedHashMap<>();
        final TreeMap<Integer, Version> versions = new TreeMap<>();

        Model(String name, long now) {
            this.name = name;
            this.created = now;
            this.updated = now;
        }
    }

    private static final class Version {
        final String name;
        final int number;
        final long created;
        long updated;
        String stage = "None";
        String description = "";
        String source;
        String runId;
        String runLink;
        String modelId;
        final Map<String, String> tags = new LinkedHashMap<>();

        Version(String name, int number, long now) {
            this.name = name;
            this.number = number;
            this.created = now;
            this.updated = now;
        }
    }

    private static final class Experiment {
        final String id;
        final String name;
        final String artifactLocation;
        final long created;
        final Map<String, String> tags = new LinkedHashMap<>();

        Experiment(String id, String name, String artifactLocation, long created) {
            this.id = id;
            this.name = name;
            this.artifactLocation = artifactLocation;
            this.created = created;
        }
    }

    private static final class LoggedModel {
        final String id;
        final String experimentId;
        final String name;
        final String sourceRunId;
        final String artifactUri;
        final long created;
        final Map<String, String> tags = new LinkedHashMap<>();

        LoggedModel(String id, String experimentId, String name, String sourceRunId, String artifactUri, long created) {
            this.id = id;
            this.experimentId = experimentId;
            this.name = name;
            this.sourceRunId = sourceRunId;
            this.artifactUri = artifactUri;
            this.created = created;
        }
    }

    private static final class RunState {
        final String id;
        final String experimentId;
        final String name;
        final long startTime;
        final String artifactUri;
        String status = "RUNNING";
        Long endTime;
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, Double> metrics = new LinkedHashMap<>();
        final Map<String, Long> metricTimes = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        String userId = "";

        RunState(String id, String experimentId, String name, long startTime, String artifactUri) {
            this.id = id;
            this.experimentId = experimentId;
            this.name = name;
            this.startTime = startTime;
            this.artifactUri = artifactUri;
        }
    }
}
