package dev.switchboard.conformance.fakes.github;


import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.switchboard.conformance.fakes.Faults;
import dev.switchboard.conformance.fakes.WireMockFake;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful fake of GitHub's Actions REST API (version 2022-11-28) on WireMock at a loopback port, which also
 * sends GitHub's webhooks, signed as GitHub signs them.
 *
 * <p>Repositories have workflows that declare their inputs, as a workflow file's {@code on: workflow_dispatch}
 * does. A {@code workflow_dispatch} is checked like GitHub checks it (the workflow must exist: 404; the ref must
 * exist: 422; every input must be declared: 422 "Unexpected inputs provided"; at most 25 inputs), is recorded,
 * and creates a queued run; with {@code return_run_details: true} the answer is 200 with the run's id, else 204.
 * In {@linkplain #enterpriseServer3_20() GHES 3.20 mode} {@code return_run_details} is refused with 400, as older
 * servers do. {@link #startRun} and {@link #completeRun} move a run on and send {@code workflow_run} and
 * {@code workflow_job} webhooks. Rate limiting: {@link Faults#rateLimited} answers 403 with {@code retry-after}
 * (secondary limit); {@link #exhaustRateLimitUntil} answers 403 with {@code x-ratelimit-remaining: 0} and
 * {@code x-ratelimit-reset} (primary limit). Errors come as {@code {"message", "documentation_url", "status"}}.
 */
public final class GitHubFake extends WireMockFake<GitHubFake> {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern DISPATCH = Pattern.compile("/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/dispatches");
    private static final Pattern REPO_DISPATCH = Pattern.compile("/repos/([^/]+/[^/]+)/dispatches");
    private static final Pattern RUN = Pattern.compile("/repos/([^/]+/[^/]+)/actions/runs/(\\d+)");
    private static final Pattern WORKFLOW_RUNS = Pattern.compile("/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/runs");
    private static final Pattern REPO = Pattern.compile("/repos/([^/]+/[^/]+)");
    private static final Set<String> API_VERSIONS = Set.of("2022-11-28", "2026-03-10");

    private final Api api = new Api();

    @Override
    protected com.github.tomakehurst.wiremock.extension.Extension api() {
        return api;
    }
    private final AtomicLong ids = new AtomicLong(30433642L);
    // State; guarded by "this".
    private final Map<String, Map<String, Workflow>> repositories = new LinkedHashMap<>();
    private final Map<Long, Run> runs = new LinkedHashMap<>();
    private final List<Dispatch> dispatches = new ArrayList<>();
    private final List<GitHubWebhookSender.Delivery> sent = new ArrayList<>();
    private String token;
    private GitHubWebhookSender sender;
    private URI webhookUrl;
    private boolean enterprise320;
    private boolean olderServer;
    private Instant rateLimitedUntil;
    private java.time.Duration autoCompleteAfter;
    private String autoCompleteConclusion;

    /** A dispatch the fake received: {@code workflow_dispatch} (with workflow and inputs) or {@code repository_dispatch}. */
    public record Dispatch(String kind, String repository, String workflow, String ref, Map<String, String> inputs,
                           Long runId) {
    }

    private record Workflow(long id, String file, String name, String runName, Set<String> inputs) {
    }

    private static final class Run {
        final long id;
        final String repository;
        final Workflow workflow;
        final String ref;
        final String title;
        final Instant created;
        final String sha;
        final int number;
        String status = "queued";
        String conclusion;
        Instant updated;
        Instant started;

        Run(long id, String repository, Workflow workflow, String ref, String title, Instant created, String sha,
            int number) {
            this.id = id;
            this.repository = repository;
            this.workflow = workflow;
            this.ref = ref;
            this.title = title;
            this.created = created;
            this.sha = sha;
            this.number = number;
            this.updated = created;
        }
    }

    @Override
    protected synchronized void resetState() {
        repositories.clear();
        runs.clear();
        dispatches.clear();
        sent.clear();
        token = null;
        sender = null;
        webhookUrl = null;
        enterprise320 = false;
        olderServer = false;
        rateLimitedUntil = null;
        autoCompleteAfter = null;
        autoCompleteConclusion = null;
    }

    /** The API URL to configure as {@code api-url} ({@code http://127.0.0.1:<port>}). */
    public URI apiUrl() {
        return loopbackUri();
    }

    // ---------------------------------------------------------------- setup

    /** Only requests with {@code Authorization: Bearer <token>} (or {@code token <token>}) are answered. */
    public synchronized GitHubFake requireToken(String token) {
        this.token = token;
        return this;
    }

    /**
     * Adds a workflow file to a repository (created if new, with branch {@code main}).
     *
     * @param runName the workflow's {@code run-name}, with {@code ${{ inputs.<name> }}} expressions, or null to
     *                show the workflow's name as the run title
     * @param inputs  the inputs its {@code on: workflow_dispatch} declares
     */
    public synchronized GitHubFake addWorkflow(String repository, String file, String runName, String... inputs) {
        repositories.computeIfAbsent(repository, r -> new LinkedHashMap<>()).put(file, new Workflow(ids.incrementAndGet(),
                file, file.replaceFirst("\\.ya?ml$", ""), runName, new TreeSet<>(List.of(inputs))));
        return this;
    }

    /** Registers the repository webhook: deliveries are signed with {@code secret} and POSTed to {@code url} (or only recorded when null). */
    public synchronized GitHubFake registerWebhook(URI url, String secret) {
        webhookUrl = url;
        sender = new GitHubWebhookSender(secret);
        return this;
    }

    /**
     * From now on every dispatched run starts and completes by itself {@code after} the dispatch, with
     * {@code conclusion}, sending its webhooks as {@link #completeRun} does: a sandbox's stand-in for a CI runner.
     * {@code null} turns it off.
     */
    public synchronized GitHubFake autoCompleteRuns(java.time.Duration after, String conclusion) {
        autoCompleteAfter = after;
        autoCompleteConclusion = conclusion;
        return this;
    }

    /** Behaves like GitHub Enterprise Server 3.20 and older: {@code return_run_details} is refused with 400. */
    public synchronized GitHubFake enterpriseServer3_20() {
        enterprise320 = true;
        return this;
    }

    /** Omits the fields newer servers added ({@code display_title}, {@code run_started_at}) from runs and webhooks. */
    public synchronized GitHubFake olderServer() {
        olderServer = true;
        return this;
    }

    /** Until {@code reset}, every request is refused as over the primary rate limit. */
    public synchronized GitHubFake exhaustRateLimitUntil(Instant reset) {
        rateLimitedUntil = reset;
        return this;
    }

    // ---------------------------------------------------------------- inspection and driving runs

    public synchronized List<Dispatch> dispatches() {
        return List.copyOf(dispatches);
    }

    public synchronized List<GitHubWebhookSender.Delivery> sentWebhooks() {
        return List.copyOf(sent);
    }

    public synchronized GitHubWebhookSender webhookSender() {
        return sender;
    }

    /**
     * Dispatches a workflow as another client would (no HTTP, no token); returns the new run's id.
     *
     * @throws IllegalStateException with GitHub's answer when the dispatch is refused
     */
    public long dispatch(String repository, String file, Map<String, String> inputs) {
        List<GitHubWebhookSender.Delivery> batch = new ArrayList<>();
        Answer answer;
        synchronized (this) {
            ObjectNode body = JSON.createObjectNode().put("ref", "main").put("return_run_details", true);
            ObjectNode in = body.putObject("inputs");
            inputs.forEach(in::put);
            answer = dispatchWorkflow(repository, file, body, batch);
        }
        send(batch);
        if (answer.status != 200) {
            throw new IllegalStateException("dispatch answered " + answer.status + ": " + answer.body);
        }
        return answer.body.get("workflow_run_id").asLong();
    }

    /** The run's JSON as {@code GET /repos/{o}/{r}/actions/runs/{id}} returns it. */
    public synchronized JsonNode run(long id) {
        return runJson(runs.get(id));
    }

    /** Moves a queued run to {@code in_progress}; sends {@code workflow_run} and {@code workflow_job} in_progress. */
    public GitHubFake startRun(long id) {
        List<GitHubWebhookSender.Delivery> batch;
        synchronized (this) {
            Run run = runs.get(id);
            run.status = "in_progress";
            run.started = now();
            run.updated = run.started;
            batch = webhooks(run, "in_progress");
        }
        send(batch);
        return this;
    }

    /** Completes a run with {@code conclusion} ({@code success}, {@code failure}, ...), starting it first if queued. */
    public GitHubFake completeRun(long id, String conclusion) {
        Run queued;
        synchronized (this) {
            queued = runs.get(id);
        }
        if (queued == null) {
            return this; // forgotten by a reset while an automatic completion was pending
        }
        if (queued.status.equals("queued")) {
            startRun(id);
        }
        List<GitHubWebhookSender.Delivery> batch;
        synchronized (this) {
            Run run = runs.get(id);
            run.status = "completed";
            run.conclusion = conclusion;
            run.updated = now();
            batch = webhooks(run, "completed");
        }
        send(batch);
        return this;
    }

    /** Sends the {@code ping} GitHub sends when a webhook is created. */
    public GitHubWebhookSender.Delivery ping() {
        GitHubWebhookSender.Delivery delivery;
        synchronized (this) {
            delivery = sender.delivery("ping", "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":470123456}");
        }
        send(List.of(delivery));
        return delivery;
    }

    private List<GitHubWebhookSender.Delivery> webhooks(Run run, String action) {
        if (sender == null) {
            return List.of();
        }
        ObjectNode job = JSON.createObjectNode().put("id", run.id * 10 + 1).put("run_id", run.id)
                .put("run_attempt", 1).put("name", "deploy").put("workflow_name", run.workflow.name)
                .put("head_branch", run.ref).put("head_sha", run.sha).put("status", run.status)
                .put("html_url", "https://github.com/" + run.repository + "/actions/runs/" + run.id + "/job/" + (run.id * 10 + 1))
                .put("started_at", String.valueOf(run.started));
        job.set("conclusion", run.conclusion == null ? JSON.nullNode() : JSON.getNodeFactory().stringNode(run.conclusion));
        job.set("completed_at", run.status.equals("completed")
                ? JSON.getNodeFactory().stringNode(run.updated.toString()) : JSON.nullNode());
        job.putArray("labels").add("ubuntu-latest");
        job.putArray("steps");
        ObjectNode jobPayload = JSON.createObjectNode().put("action", action);
        jobPayload.set("workflow_job", job);
        jobPayload.set("repository", repositoryJson(run.repository));
        jobPayload.putObject("sender").put("login", "octocat");
        ObjectNode runPayload = JSON.createObjectNode().put("action", action);
        runPayload.set("workflow_run", runJson(run));
        runPayload.putObject("workflow").put("id", run.workflow.id).put("path", ".github/workflows/" + run.workflow.file);
        runPayload.set("repository", repositoryJson(run.repository));
        runPayload.putObject("sender").put("login", "octocat");
        List<GitHubWebhookSender.Delivery> batch = List.of(sender.delivery("workflow_job", jobPayload.toString()),
                sender.delivery("workflow_run", runPayload.toString()));
        sent.addAll(batch);
        return batch;
    }

    private void send(List<GitHubWebhookSender.Delivery> batch) {
        URI url;
        synchronized (this) {
            url = webhookUrl;
        }
        if (url != null) {
            batch.forEach(delivery -> GitHubWebhookSender.post(url, delivery));
        }
    }

    // ---------------------------------------------------------------- JSON

    private ObjectNode runJson(Run run) {
        ObjectNode node = JSON.createObjectNode().put("id", run.id).put("name", run.workflow.name)
                .put("node_id", "WFR_" + run.id).put("head_branch", run.ref).put("head_sha", run.sha)
                .put("path", ".github/workflows/" + run.workflow.file).put("run_number", run.number)
                .put("run_attempt", 1).put("event", "workflow_dispatch").put("status", run.status)
                .put("workflow_id", run.workflow.id)
                .put("url", apiUrl() + "/repos/" + run.repository + "/actions/runs/" + run.id)
                .put("html_url", "https://github.com/" + run.repository + "/actions/runs/" + run.id)
                .put("created_at", run.created.toString()).put("updated_at", run.updated.toString());
        node.set("conclusion", run.conclusion == null ? JSON.nullNode() : JSON.getNodeFactory().stringNode(run.conclusion));
        if (!olderServer) {
            node.put("display_title", run.title);
            if (run.started != null) {
                node.put("run_started_at", run.started.toString());
            }
        }
        node.set("repository", repositoryJson(run.repository));
        return node;
    }

    private ObjectNode repositoryJson(String repository) {
        ObjectNode node = JSON.createObjectNode().put("id", Math.abs(repository.hashCode()))
                .put("name", repository.substring(repository.indexOf('/') + 1)).put("full_name", repository)
                .put("private", true);
        node.putObject("owner").put("login", repository.substring(0, repository.indexOf('/')));
        return node;
    }

    private Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---------------------------------------------------------------- HTTP

    private record Answer(int status, JsonNode body, Map<String, String> headers) {

        static Answer of(int status, JsonNode body) {
            return new Answer(status, body, Map.of());
        }
    }

    private static Answer error(int status, String message) {
        return Answer.of(status, JSON.createObjectNode().put("message", message)
                .put("documentation_url", "https://docs.github.com/rest").put("status", String.valueOf(status)));
    }

    private final class Api implements ResponseDefinitionTransformerV2 {

        @Override
        public String getName() {
            return "switchboard-github-fake";
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            var request = serveEvent.getRequest();
            URI url = URI.create(request.getUrl());
            Optional<Faults.Fault> fault = faults().take(url.getPath());
            Answer answer;
            List<GitHubWebhookSender.Delivery> batch = new ArrayList<>();
            if (fault.isPresent() && fault.get().kind() == Faults.Kind.RATE_LIMITED) {
                answer = new Answer(403, error(403, "You have exceeded a secondary rate limit. Please wait a few "
                        + "minutes before you try again.").body(),
                        Map.of("retry-after", String.valueOf(fault.get().delay().toSeconds())));
            } else if (fault.isPresent() && fault.get().kind() == Faults.Kind.SERVER_ERROR) {
                answer = error(fault.get().status(), "Server Error");
            } else if (fault.isPresent() && fault.get().kind() == Faults.Kind.CONNECTION_RESET) {
                return new ResponseDefinitionBuilder()
                        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
            } else {
                synchronized (GitHubFake.this) {
                    answer = handle(request.getMethod().getName(), url, request.getHeader("Authorization"),
                            request.getHeader("X-GitHub-Api-Version"), request.getBodyAsString(), batch);
                }
                send(batch);
            }
            ResponseDefinitionBuilder builder = new ResponseDefinitionBuilder().withStatus(answer.status)
                    .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-resource", "core")
                    .withHeader("X-GitHub-Request-Id", "0F4C:1B2E:" + Long.toHexString(ids.incrementAndGet()));
            if (!answer.headers.containsKey("x-ratelimit-remaining")) {
                builder.withHeader("x-ratelimit-remaining", "4999");
            }
            answer.headers.forEach(builder::withHeader);
            if (answer.status != 204) {
                builder.withHeader("Content-Type", "application/json; charset=utf-8").withBody(answer.body.toString());
            }
            fault.filter(f -> f.kind() == Faults.Kind.SLOW).ifPresent(slow -> builder.withFixedDelay((int) slow.delay().toMillis()));
            return builder.build();
        }
    }

    private Answer handle(String method, URI url, String authorization, String apiVersion, String body,
                          List<GitHubWebhookSender.Delivery> batch) {
        if (rateLimitedUntil != null && Instant.now().isBefore(rateLimitedUntil)) {
            return new Answer(403, error(403, "API rate limit exceeded for user ID 1.").body(), Map.of(
                    "x-ratelimit-remaining", "0", "x-ratelimit-reset", String.valueOf(rateLimitedUntil.getEpochSecond())));
        }
        if (token != null && !("Bearer " + token).equals(authorization) && !("token " + token).equals(authorization)) {
            return error(401, "Bad credentials");
        }
        if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
            return error(400, "API version '" + apiVersion + "' is not supported.");
        }
        String path = url.getPath();
        Matcher m;
        if (method.equals("POST") && (m = DISPATCH.matcher(path)).matches()) {
            return dispatchWorkflow(m.group(1), decode(m.group(2)), JSON.readTree(body.isEmpty() ? "{}" : body), batch);
        }
        if (method.equals("POST") && (m = REPO_DISPATCH.matcher(path)).matches()) {
            return repositoryDispatch(m.group(1), JSON.readTree(body.isEmpty() ? "{}" : body));
        }
        if (method.equals("GET") && (m = RUN.matcher(path)).matches()) {
            Run run = runs.get(Long.parseLong(m.group(2)));
            return run == null || !run.repository.equals(m.group(1)) ? error(404, "Not Found") : Answer.of(200, runJson(run));
        }
        if (method.equals("GET") && (m = WORKFLOW_RUNS.matcher(path)).matches()) {
            return listRuns(m.group(1), decode(m.group(2)), query(url));
        }
        if (method.equals("GET") && (m = REPO.matcher(path)).matches()) {
            return repositories.containsKey(m.group(1)) ? Answer.of(200, repositoryJson(m.group(1))) : error(404, "Not Found");
        }
        return error(404, "Not Found");
    }

    private Answer dispatchWorkflow(String repository, String file, JsonNode body, List<GitHubWebhookSender.Delivery> batch) {
        Workflow workflow = Optional.ofNullable(repositories.get(repository)).map(w -> w.get(file)).orElse(null);
        if (workflow == null) {
            return error(404, "Not Found");
        }
        if (body.has("return_run_details") && enterprise320) {
            return error(400, "Invalid request.\n\n\"return_run_details\" is not a permitted key.");
        }
        String ref = body.path("ref").asString(null);
        if (ref == null) {
            return error(422, "Invalid request.\n\n\"ref\" wasn't supplied.");
        }
        if (!ref.equals("main") && !ref.equals("refs/heads/main")) {
            return error(422, "No ref found for: " + ref);
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        body.path("inputs").properties().forEach(e -> inputs.put(e.getKey(), e.getValue().asString()));
        if (inputs.size() > 25) {
            return error(422, "you may only define up to 25 `inputs` for a `workflow_dispatch` event");
        }
        List<String> unexpected = inputs.keySet().stream().filter(name -> !workflow.inputs.contains(name)).sorted().toList();
        if (!unexpected.isEmpty()) {
            return error(422, "Unexpected inputs provided: " + unexpected);
        }
        String title = workflow.runName == null ? workflow.name : expand(workflow.runName, inputs);
        Run run = new Run(ids.incrementAndGet(), repository, workflow, "main", title, now(), sha(repository, inputs),
                (int) runs.values().stream().filter(r -> r.workflow == workflow).count() + 1);
        runs.put(run.id, run);
        dispatches.add(new Dispatch("workflow_dispatch", repository, file, ref, inputs, run.id));
        if (autoCompleteAfter != null) {
            // Later and on another thread: the dispatch's answer must reach the caller before the run's webhooks.
            String conclusion = autoCompleteConclusion;
            java.util.concurrent.CompletableFuture.runAsync(() -> completeRun(run.id, conclusion),
                    java.util.concurrent.CompletableFuture.delayedExecutor(autoCompleteAfter.toMillis(),
                            java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        if (sender != null) {
            ObjectNode payload = JSON.createObjectNode().put("action", "requested");
            payload.set("workflow_run", runJson(run));
            payload.set("repository", repositoryJson(repository));
            payload.putObject("sender").put("login", "octocat");
            GitHubWebhookSender.Delivery requested = sender.delivery("workflow_run", payload.toString());
            sent.add(requested);
            batch.add(requested);
        }
        if (body.path("return_run_details").asBoolean(false)) {
            return Answer.of(200, JSON.createObjectNode().put("workflow_run_id", run.id)
                    .put("run_url", apiUrl() + "/repos/" + repository + "/actions/runs/" + run.id)
                    .put("html_url", "https://github.com/" + repository + "/actions/runs/" + run.id));
        }
        return Answer.of(204, JSON.createObjectNode());
    }

    private Answer repositoryDispatch(String repository, JsonNode body) {
        if (!repositories.containsKey(repository)) {
            return error(404, "Not Found");
        }
        String eventType = body.path("event_type").asString("");
        if (eventType.isEmpty() || eventType.length() > 100) {
            return error(422, "Invalid request.\n\nevent_type must be 1 to 100 characters.");
        }
        if (body.path("client_payload").size() > 10) {
            return error(422, "Invalid request.\n\nNo more than 10 properties are allowed; "
                    + body.path("client_payload").size() + " were supplied.");
        }
        Map<String, String> payload = new LinkedHashMap<>();
        body.path("client_payload").properties().forEach(e -> payload.put(e.getKey(), e.getValue().asString()));
        dispatches.add(new Dispatch("repository_dispatch", repository, eventType, null, payload, null));
        return Answer.of(204, JSON.createObjectNode());
    }

    private Answer listRuns(String repository, String file, Map<String, String> query) {
        int perPage = Integer.parseInt(query.getOrDefault("per_page", "30"));
        if (perPage > 100) {
            perPage = 100;
        }
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        List<Run> matching = runs.values().stream().filter(r -> r.repository.equals(repository))
                .filter(r -> r.workflow.file.equals(file) || String.valueOf(r.workflow.id).equals(file))
                .filter(r -> !query.containsKey("branch") || r.ref.equals(query.get("branch")))
                .filter(r -> !query.containsKey("event") || query.get("event").equals("workflow_dispatch"))
                .sorted(Comparator.comparing((Run r) -> r.id).reversed()).toList();
        ObjectNode out = JSON.createObjectNode().put("total_count", matching.size());
        ArrayNode list = out.putArray("workflow_runs");
        matching.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(r -> list.add(runJson(r)));
        return Answer.of(200, out);
    }

    private static String expand(String template, Map<String, String> inputs) {
        Matcher m = Pattern.compile("\\$\\{\\{\\s*inputs\\.([A-Za-z0-9_-]+)\\s*}}").matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(inputs.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String sha(String repository, Map<String, String> inputs) {
        return String.format(java.util.Locale.ROOT, "%040x", Math.abs((long) (repository + inputs).hashCode()));
    }

    private static Map<String, String> query(URI url) {
        Map<String, String> query = new HashMap<>();
        if (url.getRawQuery() != null) {
            for (String pair : url.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
        }
        return query;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
