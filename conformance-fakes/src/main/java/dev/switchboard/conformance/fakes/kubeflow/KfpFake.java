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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful fake of the Kubeflow Pipelines API {@code v2beta1} (kubeflow/pipelines {@code backend/api/v2beta1}) as
 * grpc-gateway serves it: snake_case JSON, RFC 3339 timestamps, errors as google.rpc.Status
 * {@code {"code": <gRPC code>, "message", "details": []}} with the mapped HTTP status, and unknown request fields
 * refused (the server's protojson has {@code DiscardUnknown: false}).
 * <ul>
 *   <li>runs: create ({@code display_name} required; the pipeline and experiment must exist; the new run is
 *       {@code PENDING}), get, list with {@code page_size} (default 20, silently capped at 200, negative 400), an
 *       opaque {@code page_token}, {@code sort_by} ({@code "created_at desc"}, {@code "finished_at"} …; unfinished runs
 *       have no {@code finished_at} and sort as 0), {@code experiment_id}, {@code namespace} and {@code filter}
 *       (JSON predicates with {@code operation}; v1's {@code op} is 400);</li>
 *   <li>the pipeline engine is the test: {@link #finishRun} moves a run to a state with {@code finished_at} and a
 *       {@code state_history} entry; {@link #setState} to a non-terminal one;</li>
 *   <li>pipelines, versions and experiments are seeded ({@link #addPipeline}, {@link #addExperiment}) and readable
 *       by id.</li>
 * </ul>
 */
public final class KfpFake extends WireMockFake<KfpFake> {

    public static final String API = "/apis/v2beta1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> RUN_FIELDS = Set.of("experiment_id", "display_name", "description",
            "pipeline_version_reference", "pipeline_spec", "pipeline_version_id", "runtime_config", "service_account",
            "recurring_run_id", "storage_state");
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED");

    private final Api api = new Api();
    private final Map<String, ObjectNode> runs = new LinkedHashMap<>();
    private final Map<String, ObjectNode> pipelines = new LinkedHashMap<>();
    private final Map<String, ObjectNode> pipelineVersions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> experiments = new LinkedHashMap<>();
    private long lastMillis;
    private volatile String expectedAuthorization;

    @Override
    protected Extension api() {
        return api;
    }

    @Override
    protected synchronized void resetState() {
        runs.clear();
        pipelines.clear();
        pipelineVersions.clear();
        experiments.clear();
        expectedAuthorization = null;
        ObjectNode defaultExperiment = JSON.createObjectNode().put("experiment_id", "default-experiment")
                .put("display_name", "Default").put("created_at", now()).put("storage_state", "AVAILABLE");
        experiments.put("default-experiment", defaultExperiment);
    }

    public URI baseUrl() {
        return loopbackUri();
    }

    /** From now on only requests with {@code Authorization: Bearer <token>} are answered; others get 401 (code 16). */
    public KfpFake requireBearer(String token) {
        expectedAuthorization = "Bearer " + token;
        return this;
    }

    /** Adds a pipeline with one version; returns {@code [pipeline_id, pipeline_version_id]}. */
    public synchronized List<String> addPipeline(String displayName) {
        return addPipeline(UUID.randomUUID().toString(), displayName);
    }

    /**
     * Adds a pipeline with a given id (as a route file names it) and one version; returns
     * {@code [pipeline_id, pipeline_version_id]}.
     */
    public synchronized List<String> addPipeline(String pipelineId, String displayName) {
        String versionId = UUID.randomUUID().toString();
        pipelines.put(pipelineId, JSON.createObjectNode().put("pipeline_id", pipelineId).put("display_name", displayName)
                .put("name", displayName).put("created_at", now()));
        pipelineVersions.put(versionId, JSON.createObjectNode().put("pipeline_id", pipelineId)
                .put("pipeline_version_id", versionId).put("display_name", displayName + "-v1").put("created_at", now()));
        return List.of(pipelineId, versionId);
    }

    /** Adds an experiment; returns its id. */
    public synchronized String addExperiment(String displayName) {
        String id = UUID.randomUUID().toString();
        experiments.put(id, JSON.createObjectNode().put("experiment_id", id).put("display_name", displayName)
                .put("created_at", now()).put("storage_state", "AVAILABLE"));
        return id;
    }

    /** Moves a run to a terminal state, as the engine does when it ends. */
    public synchronized void finishRun(String runId, String state) {
        if (!TERMINAL.contains(state)) {
            throw new IllegalArgumentException(state + " is not terminal");
        }
        setState(runId, state).put("finished_at", now());
    }

    /** Moves a run to any state ({@code RUNNING}, {@code PAUSED}, …) without finishing it. */
    public synchronized ObjectNode setState(String runId, String state) {
        ObjectNode run = runs.get(runId);
        if (run == null) {
            throw new IllegalArgumentException("no run " + runId);
        }
        run.put("state", state);
        ((ArrayNode) run.get("state_history")).addObject().put("update_time", now()).put("state", state);
        return run;
    }

    /** Creates a run directly, as another client would; returns its id. */
    public synchronized String createRun(String pipelineId, String displayName, Map<String, Object> parameters) {
        ObjectNode body = JSON.createObjectNode().put("display_name", displayName);
        body.putObject("pipeline_version_reference").put("pipeline_id", pipelineId);
        body.putObject("runtime_config").set("parameters", JSON.valueToTree(parameters));
        return api.createRun(body).path("run_id").asString();
    }

    /** Every run, in creation order. */
    public synchronized List<JsonNode> runs() {
        return List.copyOf(runs.values());
    }

    /** RFC 3339 with milliseconds; never the same twice, so run order is observable. */
    private String now() {
        lastMillis = Math.max(System.currentTimeMillis(), lastMillis + 1);
        return Instant.ofEpochMilli(lastMillis).toString();
    }

    static ObjectNode status(int grpcCode, String message) {
        ObjectNode body = JSON.createObjectNode().put("code", grpcCode).put("message", message);
        body.putArray("details");
        return body;
    }

    /**
     * The gRPC code grpc-gateway maps onto an HTTP status of an injected server error: Unavailable (14) is 503 (and
     * what a 502 of the mesh stands for), DeadlineExceeded (4) 504, Internal (13) the rest.
     */
    private static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 502, 503 -> 14;
            case 504 -> 4;
            default -> 13;
        };
    }

    private static ApiError fail(int http, int grpcCode, String message) {
        return new ApiError(http, status(grpcCode, message));
    }

    private final class Api implements ResponseDefinitionTransformerV2 {

        private static final Pattern ONE = Pattern.compile("/(runs|pipelines|experiments)/([^/:]+)");

        @Override
        public String getName() {
            return "switchboard-kfp-fake";
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            var request = serveEvent.getRequest();
            URI url = URI.create(request.getUrl());
            Optional<Faults.Fault> fault = faults().take(url.getRawPath());
            if (fault.isPresent() && fault.get().kind() != Faults.Kind.SLOW) {
                return FakeHttp.fault(fault.get(), status(grpcCode(fault.get().status()), "injected fault"),
                        status(8, "rate limited"));
            }
            ResponseDefinition answer;
            String expected = expectedAuthorization;
            if (expected != null && !expected.equals(request.getHeader("Authorization"))) {
                answer = FakeHttp.json(401, status(16, "Unauthenticated: request has no valid bearer token"));
            } else {
                try {
                    JsonNode body = null;
                    if (request.getBody() != null && request.getBody().length > 0) {
                        try {
                            body = JSON.readTree(request.getBody());
                        } catch (RuntimeException e) {
                            throw fail(400, 3, "invalid character in JSON body");
                        }
                    }
                    JsonNode result;
                    synchronized (KfpFake.this) {
                        result = handle(request.getMethod().getName(), url.getRawPath(), url.getRawQuery(), body);
                    }
                    answer = FakeHttp.json(200, result);
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
                throw fail(404, 5, "Not Found");
            }
            String rest = path.substring(API.length());
            Map<String, String> q = FakeHttp.query(rawQuery);
            if (rest.equals("/runs")) {
                if (method.equals("POST")) {
                    return createRun(body);
                }
                if (method.equals("GET")) {
                    return listRuns(q);
                }
                throw fail(405, 12, "Method Not Allowed");
            }
            if (rest.equals("/healthz")) {
                return JSON.createObjectNode().put("commit_sha", "fake").put("tag_name", "2.5.0");
            }
            Matcher one = ONE.matcher(rest);
            if (one.matches() && method.equals("GET")) {
                Map<String, ObjectNode> store = switch (one.group(1)) {
                    case "runs" -> runs;
                    case "pipelines" -> pipelines;
                    default -> experiments;
                };
                ObjectNode entity = store.get(one.group(2));
                if (entity == null) {
                    throw fail(404, 5, "Failed to get " + one.group(1) + ": " + one.group(1) + " " + one.group(2)
                            + " not found: ResourceNotFoundError");
                }
                return entity.deepCopy();
            }
            throw fail(404, 5, "Not Found");
        }

        JsonNode createRun(JsonNode body) {
            if (body == null || !body.isObject()) {
                throw fail(400, 3, "a Run object body is required");
            }
            body.properties().forEach(e -> {
                if (!RUN_FIELDS.contains(e.getKey())) {
                    throw fail(400, 3, "proto: (line 1:2): unknown field \"" + e.getKey() + "\"");
                }
            });
            if (body.path("display_name").asString("").isBlank()) {
                throw fail(400, 3, "Failed to create a run due to invalid input: run display name is empty");
            }
            String pipelineId = body.path("pipeline_version_reference").path("pipeline_id").asString("");
            if (!pipelines.containsKey(pipelineId)) {
                throw fail(404, 5, "Failed to create a run: pipeline " + pipelineId + " not found");
            }
            String versionId = body.path("pipeline_version_reference").path("pipeline_version_id").asString(null);
            if (versionId != null && !pipelineVersions.containsKey(versionId)) {
                throw fail(404, 5, "Failed to create a run: pipeline version " + versionId + " not found");
            }
            String experimentId = body.path("experiment_id").asString("default-experiment");
            if (!experiments.containsKey(experimentId)) {
                throw fail(404, 5, "Failed to create a run: experiment " + experimentId + " not found");
            }
            ObjectNode run = (ObjectNode) body.deepCopy();
            String runId = UUID.randomUUID().toString();
            run.put("run_id", runId);
            run.put("experiment_id", experimentId);
            if (versionId == null) {
                pipelineVersions.values().stream().filter(v -> v.path("pipeline_id").asString().equals(pipelineId))
                        .reduce((first, second) -> second).ifPresent(v -> ((ObjectNode) run.get("pipeline_version_reference"))
                                .put("pipeline_version_id", v.path("pipeline_version_id").asString()));
            }
            run.put("storage_state", "AVAILABLE");
            String at = now();
            run.put("created_at", at);
            run.put("scheduled_at", at);
            run.put("state", "PENDING");
            run.putArray("state_history").addObject().put("update_time", at).put("state", "PENDING");
            runs.put(runId, run);
            return run.deepCopy();
        }

        JsonNode listRuns(Map<String, String> q) {
            int pageSize = 20;
            if (q.containsKey("page_size")) {
                try {
                    pageSize = Integer.parseInt(q.get("page_size"));
                } catch (NumberFormatException e) {
                    throw fail(400, 3, "invalid page_size");
                }
                if (pageSize < 0) {
                    throw fail(400, 3, "Invalid input error: The page size should be greater than 0. Got "
                            + pageSize);
                }
                pageSize = pageSize == 0 ? 20 : Math.min(pageSize, 200);
            }
            String sortBy = q.getOrDefault("sort_by", "created_at");
            String[] sort = sortBy.trim().split("\\s+");
            if (!Set.of("created_at", "finished_at", "display_name", "run_id").contains(sort[0])
                    || sort.length > 2 || (sort.length == 2 && !Set.of("asc", "desc").contains(sort[1]))) {
                throw fail(400, 3, "Invalid input error: Invalid sorting field: \"" + sortBy + "\"");
            }
            Comparator<ObjectNode> order = Comparator.comparing(r -> sortKey(r, sort[0]));
            order = order.thenComparing(r -> r.path("created_at").asString()).thenComparing(r -> r.path("run_id").asString());
            if (sort.length == 2 && sort[1].equals("desc")) {
                order = order.reversed();
            }
            Predicate<ObjectNode> filter = filter(q.get("filter"));
            String experimentId = q.get("experiment_id");
            List<ObjectNode> all = runs.values().stream()
                    .filter(r -> experimentId == null || experimentId.equals(r.path("experiment_id").asString()))
                    .filter(filter).sorted(order).toList();
            int from = 0;
            String token = q.get("page_token");
            if (token != null && !token.isEmpty()) {
                String decoded = FakeHttp.untoken(token);
                String[] parts = decoded == null ? new String[0] : decoded.split("\\|", 2);
                try {
                    if (parts.length != 2 || !parts[1].equals(sortBy + (q.get("filter") == null ? "" : q.get("filter")))) {
                        throw new NumberFormatException();
                    }
                    from = Integer.parseInt(parts[0]);
                } catch (NumberFormatException e) {
                    throw fail(400, 3, "Invalid input error: Invalid page token");
                }
            }
            int to = Math.min(all.size(), from + pageSize);
            ObjectNode page = JSON.createObjectNode();
            ArrayNode items = JSON.createArrayNode();
            all.subList(Math.min(from, all.size()), to).forEach(r -> items.add(r.deepCopy()));
            if (!items.isEmpty()) {
                page.set("runs", items); // EmitUnpopulated: false — an empty list is absent
            }
            page.put("total_size", all.size());
            if (to < all.size()) {
                page.put("next_page_token", FakeHttp.token(to + "|" + sortBy + (q.get("filter") == null ? "" : q.get("filter"))));
            }
            return page;
        }

        private String sortKey(ObjectNode run, String field) {
            return switch (field) {
                case "finished_at" -> run.has("finished_at")
                        ? String.format("%020d", Instant.parse(run.get("finished_at").asString()).toEpochMilli())
                        : String.format("%020d", 0);
                case "created_at" -> String.format("%020d", Instant.parse(run.get("created_at").asString()).toEpochMilli());
                default -> run.path(field).asString("");
            };
        }

        private Predicate<ObjectNode> filter(String text) {
            if (text == null || text.isEmpty()) {
                return r -> true;
            }
            JsonNode filter;
            try {
                filter = JSON.readTree(text);
            } catch (RuntimeException e) {
                throw fail(400, 3, "Invalid input error: failed to parse filter");
            }
            Predicate<ObjectNode> all = r -> true;
            for (JsonNode p : filter.path("predicates")) {
                if (p.has("op") || !p.has("operation")) {
                    throw fail(400, 3, "Invalid input error: filter predicate needs \"operation\" (v1beta1's \"op\" "
                            + "is not v2beta1)");
                }
                String key = p.path("key").asString();
                if (!Set.of("state", "display_name", "description", "experiment_id", "run_id").contains(key)) {
                    throw fail(400, 3, "Invalid input error: unsupported filter key " + key);
                }
                String op = p.path("operation").asString();
                String value = p.path("string_value").asString(null);
                List<String> values = new ArrayList<>();
                p.path("string_values").path("values").forEach(v -> values.add(v.asString()));
                Predicate<ObjectNode> one = switch (op) {
                    case "EQUALS" -> r -> r.path(key).asString("").equals(value);
                    case "NOT_EQUALS" -> r -> !r.path(key).asString("").equals(value);
                    case "IS_SUBSTRING" -> r -> value != null && r.path(key).asString("").contains(value);
                    case "IN" -> r -> values.contains(r.path(key).asString(""));
                    default -> throw fail(400, 3, "Invalid input error: unsupported operation " + op);
                };
                all = all.and(one);
            }
            return all;
        }
    }
}
