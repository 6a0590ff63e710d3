package dev.switchboard.connector.github;

import dev.switchboard.connector.github.internal.GitHubClient;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitHub Actions' actions:
 * <ul>
 *   <li>{@code dispatch-workflow} ({@code workflow}, {@code ref} default {@code main}, optional {@code repository})
 *       — a {@code workflow_dispatch} with inputs: the triggering event's {@code model}, {@code version} and
 *       {@code alias} (unless {@code inputs-from-event=false}) and every {@code input.<name>} parameter, at most
 *       {@value #MAX_INPUTS} and {@value #MAX_INPUTS_CHARS} characters. The run id comes from
 *       {@code return_run_details} where the server supports it; otherwise the new run is looked up.</li>
 *   <li>{@code repository-dispatch} ({@code event-type}) — a {@code repository_dispatch} whose
 *       {@code client_payload} holds the event's fields and every {@code payload.<name>} parameter (at most
 *       {@value #MAX_PAYLOAD_KEYS} keys).</li>
 * </ul>
 * GitHub's dispatch endpoints take no idempotency key, and a retried POST whose answer was lost starts a second
 * run. This target remembers what each idempotency key started, and with the {@code idempotency-input} option passes the
 * key to the workflow and looks for a run showing it before dispatching again.
 */
final class GitHubActions implements ActionTarget {

    static final String DISPATCH_WORKFLOW = "dispatch-workflow";
    static final String REPOSITORY_DISPATCH = "repository-dispatch";
    static final int MAX_INPUTS = 25;
    static final int MAX_INPUTS_CHARS = 65_535;
    static final int MAX_PAYLOAD_KEYS = 10;
    static final int MAX_EVENT_TYPE = 100;
    private static final int LOOKUPS = 5;

    private final GitHubOptions.Settings settings;
    private final GitHubClient client;
    private final GitHubMapper mapper;
    private final GitHubRuns runs;
    private final Clock clock;
    private final AtomicBoolean runDetails;

    GitHubActions(GitHubOptions.Settings settings, GitHubClient client, GitHubMapper mapper, GitHubRuns runs, Clock clock) {
        this.settings = settings;
        this.client = client;
        this.mapper = mapper;
        this.runs = runs;
        this.clock = clock;
        this.runDetails = new AtomicBoolean(settings.returnRunDetails());
    }

    @Override
    public Set<String> actions() {
        return Set.of(DISPATCH_WORKFLOW, REPOSITORY_DISPATCH);
    }

    @Override
    public List<Action> describe() {
        Parameter repository = Parameter.optional("repository", "owner/repo to act on; the connection option "
                + "repository by default");
        return List.of(
                Action.of(DISPATCH_WORKFLOW, "Starts a workflow_dispatch run of a workflow; outputs repository, "
                                + "workflow, runId and runUrl",
                        Parameter.required("workflow", "The workflow file name (deploy.yml) or id"),
                        Parameter.optional("ref", "The branch or tag to run on; main by default"),
                        repository,
                        Parameter.prefix("input.", "One workflow input each: input.<name>=<value>"),
                        Parameter.optional("inputs-from-event", "false to not pass the event's model, version and "
                                + "alias (or path, commit and md5) as inputs").oneOf("true", "false")),
                Action.of(REPOSITORY_DISPATCH, "Sends a repository_dispatch event; outputs repository and eventType",
                        Parameter.required("event-type", "The event_type, at most 100 characters"),
                        repository,
                        Parameter.prefix("payload.", "One client_payload key each: payload.<key>=<value>"),
                        Parameter.optional("payload-from-event", "false to not put the event's model, version and "
                                + "alias (or path, commit and md5) in the payload").oneOf("true", "false")));
    }

    @Override
    public Result perform(Request request) {
        return switch (request.action()) {
            case DISPATCH_WORKFLOW -> dispatchWorkflow(request);
            case REPOSITORY_DISPATCH -> repositoryDispatch(request);
            default -> throw ConnectorException.configuration(settings.connection(), "unknown action "
                    + request.action() + "; GitHub offers " + DISPATCH_WORKFLOW + " and " + REPOSITORY_DISPATCH);
        };
    }

    private Result dispatchWorkflow(Request request) {
        String repository = repository(request);
        String workflow = request.require(settings.connection(), "workflow");
        String ref = request.parameters().getOrDefault("ref", "main");
        Map<String, String> inputs = values(request, "input.", "inputs-from-event");
        ObjectNode inputsJson = GitHubClient.json().createObjectNode();
        inputs.forEach(inputsJson::put);
        settings.keyInput().ifPresent(name -> inputsJson.put(name, request.idempotencyKey()));
        if (inputsJson.size() > MAX_INPUTS || inputsJson.toString().length() > MAX_INPUTS_CHARS) {
            throw ConnectorException.configuration(settings.connection(), DISPATCH_WORKFLOW + " of " + workflow
                    + " has " + inputsJson.size() + " inputs of " + inputsJson.toString().length() + " characters; "
                    + "GitHub accepts at most " + MAX_INPUTS + " inputs of " + MAX_INPUTS_CHARS + " characters");
        }
        Optional<Optional<ResourceRef>> remembered = runs.started(request.idempotencyKey());
        if (remembered.isPresent()) {
            return result(remembered.get().orElse(null), repository, workflow);
        }
        Optional<ResourceRef> earlier = settings.keyInput().flatMap(name ->
                findRun(repository, workflow, ref, null, request.idempotencyKey()));
        if (earlier.isPresent()) {
            runs.remember(request.idempotencyKey(), earlier.get(), inputs);
            return result(earlier.get(), repository, workflow);
        }
        Instant dispatchedAt = clock.instant();
        String path = "/repos/" + repository + "/actions/workflows/" + encode(workflow) + "/dispatches";
        GitHubClient.Response response = post(path, dispatchBody(ref, inputsJson, runDetails.get()), DISPATCH_WORKFLOW);
        if (response.status() == 400 && runDetails.get() && response.text().contains("return_run_details")) {
            runDetails.set(false); // GHES 3.20 and older refuse the field: ask again without it, from now on
            response = post(path, dispatchBody(ref, inputsJson, false), DISPATCH_WORKFLOW);
        }
        if (!response.ok()) {
            throw GitHubErrors.fromResponse(settings.connection(), DISPATCH_WORKFLOW + " of " + workflow + " in "
                    + repository, response.status(), response.headers(), response.text(), clock);
        }
        ResourceRef run = response.json().hasNonNull("workflow_run_id")
                ? mapper.runRef(repository, response.json().get("workflow_run_id").asLong(),
                response.json().path("html_url").asString(null))
                : findRun(repository, workflow, ref, dispatchedAt, null).orElse(null);
        runs.remember(request.idempotencyKey(), run, inputs);
        return result(run, repository, workflow);
    }

    private static ObjectNode dispatchBody(String ref, ObjectNode inputs, boolean returnRunDetails) {
        ObjectNode body = GitHubClient.json().createObjectNode().put("ref", ref);
        body.set("inputs", inputs);
        if (returnRunDetails) {
            body.put("return_run_details", true);
        }
        return body;
    }

    /**
     * Looks for the run a dispatch started: the oldest {@code workflow_dispatch} run of the workflow on {@code ref}
     * created since {@code since} that no other dispatch of this connection claimed, or (with {@code key}) the
     * newest whose title shows the key. Tries {@value #LOOKUPS} times, as a new run takes a moment to appear.
     */
    private Optional<ResourceRef> findRun(String repository, String workflow, String ref, Instant since, String key) {
        String path = "/repos/" + repository + "/actions/workflows/" + encode(workflow)
                + "/runs?event=workflow_dispatch&per_page=30&branch=" + encode(ref);
        for (int attempt = 0; attempt < (key == null ? LOOKUPS : 1); attempt++) {
            GitHubClient.Response response = get(path, "list runs of " + workflow);
            Optional<JsonNode> run = StreamSupport.stream(response.json().path("workflow_runs").spliterator(), false)
                    .filter(r -> key != null ? r.path("display_title").asString("").contains(key)
                            : !runs.isKnownRun(repository + "/" + r.path("id").asLong())
                            && !Instant.parse(r.path("created_at").asString("1970-01-01T00:00:00Z"))
                            .isBefore(since.minusSeconds(5)))
                    .min(Comparator.comparing(r -> r.path("id").asLong()));
            if (run.isPresent()) {
                return run.map(r -> mapper.runRef(repository, r.path("id").asLong(), r.path("html_url").asString(null)));
            }
            sleep(settings.runLookupInterval());
        }
        return Optional.empty();
    }

    private Result repositoryDispatch(Request request) {
        String repository = repository(request);
        String eventType = request.require(settings.connection(), "event-type");
        if (eventType.length() > MAX_EVENT_TYPE) {
            throw ConnectorException.configuration(settings.connection(), "event-type must be at most "
                    + MAX_EVENT_TYPE + " characters, was " + eventType.length());
        }
        Map<String, String> payload = values(request, "payload.", "payload-from-event");
        if (payload.size() > MAX_PAYLOAD_KEYS) {
            throw ConnectorException.configuration(settings.connection(), REPOSITORY_DISPATCH + " client_payload has "
                    + payload.size() + " keys; GitHub accepts at most " + MAX_PAYLOAD_KEYS);
        }
        if (runs.started(request.idempotencyKey()).isEmpty()) {
            ObjectNode body = GitHubClient.json().createObjectNode().put("event_type", eventType);
            ObjectNode clientPayload = body.putObject("client_payload");
            payload.forEach(clientPayload::put);
            GitHubClient.Response response = post("/repos/" + repository + "/dispatches", body, REPOSITORY_DISPATCH);
            if (!response.ok()) {
                throw GitHubErrors.fromResponse(settings.connection(), REPOSITORY_DISPATCH + " to " + repository,
                        response.status(), response.headers(), response.text(), clock);
            }
            runs.remember(request.idempotencyKey(), null, payload);
        }
        return new Result(null, Map.of("repository", repository, "eventType", eventType));
    }

    @Override
    public Optional<Status> status(ResourceRef started) {
        if (!"workflow_run".equals(started.kind())) {
            return Optional.empty();
        }
        String id = started.nativeId();
        String repository = id.substring(0, id.lastIndexOf('/'));
        GitHubClient.Response response = send("GET", "/repos/" + id.substring(0, id.lastIndexOf('/'))
                + "/actions/runs/" + id.substring(id.lastIndexOf('/') + 1), null, "get run " + id);
        if (response.status() == 404) {
            return Optional.empty();
        }
        if (!response.ok()) {
            throw GitHubErrors.fromResponse(settings.connection(), "get run " + id, response.status(),
                    response.headers(), response.text(), clock);
        }
        return Optional.of(new Status(mapper.run(repository, response.json(), Map.of()).status(), started));
    }

    private Result result(ResourceRef run, String repository, String workflow) {
        Map<String, String> outputs = new LinkedHashMap<>(Map.of("repository", repository, "workflow", workflow));
        if (run != null) {
            outputs.put("runId", run.nativeId().substring(run.nativeId().lastIndexOf('/') + 1));
            if (run.url() != null) {
                outputs.put("runUrl", run.url().toString());
            }
        }
        return new Result(run, outputs);
    }

    /** The event's fields (unless {@code fromEventFlag=false}), then every {@code prefix<name>} parameter. */
    private static Map<String, String> values(Request request, String prefix, String fromEventFlag) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!"false".equalsIgnoreCase(request.parameters().get(fromEventFlag))) {
            values.putAll(request.eventFields());
        }
        request.parameters().forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                values.put(name.substring(prefix.length()), value);
            }
        });
        return values;
    }

    private String repository(Request request) {
        String repository = Optional.ofNullable(request.parameters().get("repository")).or(settings::repository)
                .orElseThrow(() -> ConnectorException.configuration(settings.connection(), "action "
                        + request.action() + " needs parameter repository (or the connection option repository)"));
        if (!repository.matches(GitHubOptions.REPOSITORY_PATTERN)) {
            throw ConnectorException.configuration(settings.connection(), "repository must be owner/repo, was \""
                    + repository + "\"");
        }
        return repository;
    }

    private GitHubClient.Response post(String path, JsonNode body, String operation) {
        return send("POST", path, body, operation);
    }

    private GitHubClient.Response get(String path, String operation) {
        GitHubClient.Response response = send("GET", path, null, operation);
        if (!response.ok()) {
            throw GitHubErrors.fromResponse(settings.connection(), operation, response.status(), response.headers(),
                    response.text(), clock);
        }
        return response;
    }

    private GitHubClient.Response send(String method, String path, JsonNode body, String operation) {
        try {
            return client.send(method, path, body);
        } catch (IOException e) {
            throw GitHubErrors.fromIo(settings.connection(), operation, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.transientFailure(settings.connection(), "interrupted while looking for a dispatched run", e);
        }
    }
}
