package dev.switchboard.connector.kubeflow.pipelines;

import static dev.switchboard.connector.kubeflow.common.KubeflowClient.query;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.connector.kubeflow.common.KubeflowClient.KubeflowApiException;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource.PollResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs of Kubeflow Pipelines: the action {@code run-pipeline}, its status, and {@code pipeline_run.finished} by
 * polling.
 *
 * <p><b>run-pipeline</b> creates a run ({@code POST /apis/v2beta1/runs}) of {@code pipeline-id} (and
 * {@code pipeline-version-id}, else the latest version) in {@code experiment-id} (parameter, else the connection's
 * option, else KFP's default experiment), with {@code display-name} and every {@code param.<name>} as
 * {@code runtime_config.parameters}. The hub's idempotency key is written into the run's description as the line
 * {@value #KEY_LINE}{@code <key>}, and before creating, the connector lists runs whose description contains that
 * line ({@code IS_SUBSTRING} filter): a retried action returns the first run instead of starting a second.
 *
 * <p><b>Polling</b> lists runs by {@code finished_at desc} (unfinished runs sort last), page by page until a page
 * reaches runs that finished before the cursor, and reports the terminal ones: {@code SUCCEEDED}, {@code FAILED},
 * {@code CANCELED} and {@code SKIPPED} ({@code PAUSED}, {@code CANCELING}, {@code RUNNING} and {@code PENDING} are
 * not terminal). The cursor is {@code kfp1:<millis>:<hashes>}, as in the other pollers of the hub.
 */
final class KfpRuns implements ActionTarget {

    static final String RUN_PIPELINE = "run-pipeline";
    static final String KEY_LINE = "switchboard-idempotency-key: ";
    static final String SYSTEM = "kubeflow-pipelines";
    private static final String CURSOR_VERSION = "kfp1";
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KfpOptions.Settings settings;
    private final String connection;
    private final KubeflowClient client;
    private final URI source;
    /** Pipeline display names by id; a pipeline's name never changes. */
    private final Map<String, String> pipelineNames = new ConcurrentHashMap<>();

    KfpRuns(KfpOptions.Settings settings, KubeflowClient client) {
        this.settings = settings;
        this.connection = settings.connection();
        this.client = client;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    // ---------------------------------------------------------------- action

    @Override
    public Set<String> actions() {
        return Set.of(RUN_PIPELINE);
    }

    @Override
    public List<Action> describe() {
        return List.of(Action.of(RUN_PIPELINE, "Starts a run of a pipeline; outputs runId and state",
                Parameter.required("pipeline-id", "The pipeline to run"),
                Parameter.optional("pipeline-version-id", "The pipeline version; the latest by default"),
                Parameter.optional("experiment-id", "The experiment; the connection option experiment-id by default"),
                Parameter.optional("display-name", "The run's name"),
                Parameter.optional("description", "The run's description"),
                Parameter.prefix("param.", "One pipeline parameter each: param.<name>=<value>")));
    }

    @Override
    public Result perform(Request request) {
        if (!RUN_PIPELINE.equals(request.action())) {
            throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; Kubeflow Pipelines offers " + RUN_PIPELINE);
        }
        String pipelineId = request.require(connection, "pipeline-id");
        Optional<String> versionId = Optional.ofNullable(request.parameters().get("pipeline-version-id"));
        Optional<String> experimentId = Optional.ofNullable(request.parameters().get("experiment-id"))
                .or(settings::experimentId);
        String keyLine = KEY_LINE + request.idempotencyKey();
        Optional<JsonNode> existing = findByKey(keyLine, experimentId);
        JsonNode run = existing.orElseGet(() -> {
            ObjectNode body = JSON.createObjectNode();
            body.put("display_name", Optional.ofNullable(request.parameters().get("display-name"))
                    .orElse("switchboard " + (request.event() == null ? "run" : request.event().subject())));
            String description = Optional.ofNullable(request.parameters().get("description"))
                    .map(t -> t + "\n\n").orElse("");
            body.put("description", description + keyLine);
            experimentId.ifPresent(id -> body.put("experiment_id", id));
            ObjectNode reference = body.putObject("pipeline_version_reference");
            reference.put("pipeline_id", pipelineId);
            versionId.ifPresent(id -> reference.put("pipeline_version_id", id));
            ObjectNode parameters = body.putObject("runtime_config").putObject("parameters");
            request.parameters().forEach((name, value) -> {
                if (name.startsWith("param.")) {
                    parameters.set(name.substring("param.".length()), value(value));
                }
            });
            return client.post("/runs", body);
        });
        String runId = run.path("run_id").asString();
        return new Result(runRef(runId), Map.of("runId", runId, "state", run.path("state").asString("PENDING")));
    }

    /** A parameter's JSON value: {@code true}/{@code false} and numbers as such, everything else a string. */
    static JsonNode value(String text) {
        if (text.equals("true") || text.equals("false")) {
            return JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(text));
        }
        if (text.matches("-?(0|[1-9]\\d{0,14})(\\.\\d+)?([eE][-+]?\\d+)?")) {
            return JSON.getNodeFactory().numberNode(new java.math.BigDecimal(text));
        }
        return JSON.getNodeFactory().stringNode(text);
    }

    private Optional<JsonNode> findByKey(String keyLine, Optional<String> experimentId) {
        ObjectNode filter = JSON.createObjectNode();
        ObjectNode predicate = filter.putArray("predicates").addObject();
        predicate.put("key", "description");
        predicate.put("operation", "IS_SUBSTRING");
        predicate.put("string_value", keyLine);
        String token = null;
        do {
            JsonNode page = client.get("/runs", query("namespace", settings.namespace().orElse(null),
                    "experiment_id", experimentId.orElse(null), "page_size", settings.pageSize(),
                    "filter", filter.toString(), "page_token", token));
            for (JsonNode run : page.path("runs")) {
                if (run.path("description").asString("").lines().anyMatch(keyLine::equals)) {
                    return Optional.of(run);
                }
            }
            token = page.path("next_page_token").asString("");
        } while (!token.isEmpty());
        return Optional.empty();
    }

    @Override
    public Optional<Status> status(ResourceRef started) {
        if (!"pipeline_run".equals(started.kind())) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Status(status(client.get("/runs/" + KubeflowClient.encode(started.nativeId()), Map.of())
                    .path("state").asString("")), started));
        } catch (KubeflowApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** KFP's RuntimeState in canonical terms; SKIPPED (nothing ran) counts as CANCELLED. */
    static RunStatus status(String state) {
        return switch (state) {
            case "SUCCEEDED" -> RunStatus.SUCCEEDED;
            case "FAILED" -> RunStatus.FAILED;
            case "CANCELED", "SKIPPED" -> RunStatus.CANCELLED;
            case "RUNNING", "CANCELING", "PAUSED" -> RunStatus.RUNNING;
            default -> RunStatus.QUEUED;
        };
    }

    ResourceRef runRef(String runId) {
        return new ResourceRef(SYSTEM, connection, "pipeline_run", runId,
                URI.create(settings.url() + "/#/runs/details/" + KubeflowClient.encode(runId)));
    }

    // ---------------------------------------------------------------- polling

    PollResult poll(String cursorText) {
        if (cursorText == null) {
            List<JsonNode> newest = page(null, 1).runs;
            long at = newest.stream().filter(KfpRuns::terminal).mapToLong(KfpRuns::finished).max().orElse(0);
            Cursor start = new Cursor(at, Set.of());
            return new PollResult(List.of(), start.advancedBy(finishedSince(start)).toString());
        }
        Cursor cursor = Cursor.parse(connection, cursorText);
        List<JsonNode> finished = finishedSince(cursor);
        finished.sort(Comparator.comparingLong(KfpRuns::finished).thenComparingLong(KfpRuns::created)
                .thenComparing(run -> run.path("run_id").asString()));
        List<CanonicalEvent> events = new ArrayList<>();
        for (JsonNode run : finished) {
            String runId = run.path("run_id").asString();
            events.add(new CanonicalEvent("poll:run/" + runId + "/" + run.path("state").asString(), source,
                    EventType.PIPELINE_RUN_FINISHED, "pipeline-runs/" + runId, Instant.ofEpochMilli(finished(run)),
                    toCanonical(run)));
        }
        return new PollResult(events, cursor.advancedBy(finished).toString());
    }

    private record RunPage(List<JsonNode> runs, String next) {
    }

    private RunPage page(String token, int size) {
        JsonNode page = client.get("/runs", query("namespace", settings.namespace().orElse(null), "page_size", size,
                "sort_by", "finished_at desc", "page_token", token));
        List<JsonNode> runs = new ArrayList<>();
        page.path("runs").forEach(runs::add);
        return new RunPage(runs, page.path("next_page_token").asString(""));
    }

    private List<JsonNode> finishedSince(Cursor cursor) {
        List<JsonNode> found = new ArrayList<>();
        Set<String> inThisPoll = new TreeSet<>();
        String token = null;
        do {
            RunPage page = page(token, settings.pageSize());
            boolean reachedOlder = false;
            for (JsonNode run : page.runs) {
                if (!terminal(run)) {
                    continue; // KFP sorts unfinished runs (finished_at 0) last
                }
                long at = finished(run);
                if (at < cursor.millis) {
                    reachedOlder = true;
                } else if (!(at == cursor.millis && cursor.seen.contains(hash(run))) && inThisPoll.add(hash(run))) {
                    found.add(run);
                }
            }
            token = reachedOlder || page.next.isEmpty() ? null : page.next;
        } while (token != null);
        return found;
    }

    private static boolean terminal(JsonNode run) {
        return TERMINAL.contains(run.path("state").asString("")) && finished(run) > 0;
    }

    private static long finished(JsonNode run) {
        return time(run.path("finished_at"));
    }

    private static long created(JsonNode run) {
        return time(run.path("created_at"));
    }

    private static long time(JsonNode node) {
        try {
            return node.isString() ? Instant.parse(node.asString()).toEpochMilli() : 0;
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    static String hash(JsonNode run) {
        String key = run.path("run_id").asString() + '\u0000' + run.path("state").asString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    PipelineRun toCanonical(JsonNode run) {
        JsonNode reference = run.path("pipeline_version_reference");
        String pipelineId = reference.path("pipeline_id").asString(null);
        String pipelineName = pipelineId == null ? "(inline pipeline spec)" : pipelineName(pipelineId);
        Map<String, String> parameters = new TreeMap<>();
        run.path("runtime_config").path("parameters").properties().forEach(e ->
                parameters.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : e.getValue().toString()));
        long created = created(run);
        long finished = finished(run);
        return new PipelineRun(runRef(run.path("run_id").asString()), pipelineName,
                run.path("display_name").asString(null), status(run.path("state").asString("")),
                created > 0 ? Instant.ofEpochMilli(created) : null, finished > 0 ? Instant.ofEpochMilli(finished) : null,
                parameters, reference.path("pipeline_version_id").asString(null));
    }

    private String pipelineName(String pipelineId) {
        return pipelineNames.computeIfAbsent(pipelineId, id -> {
            try {
                JsonNode pipeline = client.get("/pipelines/" + KubeflowClient.encode(id), Map.of());
                return pipeline.path("display_name").asString(pipeline.path("name").asString(id));
            } catch (KubeflowApiException e) {
                if (e.status() == 404) {
                    return id; // deleted since: the id is all there is
                }
                throw e;
            }
        });
    }

    record Cursor(long millis, Set<String> seen) {

        Cursor {
            seen = Set.copyOf(seen);
        }

        static Cursor parse(String connection, String text) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length != 3 || !parts[0].equals(CURSOR_VERSION)) {
                    throw new IllegalArgumentException(text);
                }
                return new Cursor(Long.parseLong(parts[1]), parts[2].isEmpty() ? Set.of() : Set.of(parts[2].split(",")));
            } catch (IllegalArgumentException e) {
                throw ConnectorException.configuration(connection, "poll cursor \"" + text
                        + "\" was not written by the Kubeflow Pipelines connector (expected " + CURSOR_VERSION
                        + ":<millis>:<hashes>)");
            }
        }

        Cursor advancedBy(List<JsonNode> reported) {
            long newest = reported.stream().mapToLong(KfpRuns::finished).max().orElse(millis);
            Set<String> seenAtNewest = new TreeSet<>(newest == millis ? seen : Set.of());
            reported.stream().filter(run -> finished(run) == newest).map(KfpRuns::hash).forEach(seenAtNewest::add);
            return new Cursor(Math.max(newest, millis), seenAtNewest);
        }

        @Override
        public String toString() {
            return CURSOR_VERSION + ":" + millis + ":" + String.join(",", new TreeSet<>(seen));
        }
    }

    static Map<String, String> linkedMap() {
        return new LinkedHashMap<>();
    }
}
