package dev.switchboard.app.cli;

import dev.switchboard.client.ApiClient;
import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.DeliveriesApi;
import dev.switchboard.client.api.EventsApi;
import dev.switchboard.client.model.Delivery;
import dev.switchboard.client.model.DeliveryStatus;
import dev.switchboard.client.model.EventSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The quickstart scenario against a hub started with the sandbox ({@code switchboard.sandbox.enabled: true}):
 * promotes a new model version in the sandbox's MLflow and follows it through the shipped routes, step by step,
 * reading the hub's event log and deliveries and asking the sandbox's tools what they now hold.
 *
 * <p>Every run creates a new version, so it can be run again and again. The sandbox's URLs come from the hub's
 * {@code /actuator/info}; nothing here needs a secret but the hub's admin token.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = {"Promote a model version in the sandbox's MLflow and follow it end to end:",
        "webhook, S3 copy, SageMaker registration, GitHub dispatch, CI result, event log.",
        "Needs a hub started with switchboard.sandbox.enabled=true (the quickstart switchboard.yaml)."})
final class DemoCommand implements Callable<Integer> {

    private static final String ALIAS = "champion";
    private static final String DISPATCH_ROUTE = "champion-to-sagemaker-and-deploy";
    private static final String TAG_ROUTE = "ci-result-to-mlflow-tag";
    private static final String TAG = "deploy.status";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    HubClientOptions hub;

    @Option(names = "--model", defaultValue = "churn", description = "The MLflow model to promote (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--step-timeout", defaultValue = "60",
            description = "Seconds each step may take before the demo gives up (default: ${DEFAULT-VALUE}).")
    int stepTimeoutSeconds;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PrintWriter out;

    /** A step that did not happen in time, or went wrong: the demo names it and stops. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        String step = "0. connect to the hub";
        try {
            ApiClient client = hub.client();
            EventsApi events = new EventsApi(client);
            DeliveriesApi deliveries = new DeliveriesApi(client);
            // Events received before this run (an earlier run may have promoted the same version number) don't count.
            Instant since = Instant.now().minusSeconds(2);
            JsonNode sandbox = sandboxInfo();
            URI mlflow = URI.create(sandbox.path("mlflow").path("url").asString());
            String mlflowConnection = sandbox.path("mlflow").path("connection").asString();
            String githubConnection = sandbox.path("github").path("connection").asString();

            step = "0. promote a model version in the MLflow sandbox";
            heading(step);
            byte[] artifact = artifact();
            String sha256 = sha256(artifact);
            String path = model + "/" + UUID.randomUUID() + "/model.tar.gz";
            send("PUT", mlflow.resolve("/api/2.0/mlflow-artifacts/artifacts/" + path), "application/octet-stream",
                    artifact);
            try {
                mlflowCall(mlflow, "POST", "registered-models/create", Map.of("name", model));
            } catch (StepFailed alreadyThere) {
                // create-or-get, as MLflow's own client does: later runs reuse the model
            }
            String version = mlflowCall(mlflow, "POST", "model-versions/create", Map.of("name", model,
                    "source", "mlflow-artifacts:/" + path)).path("model_version").path("version").asString();
            out.printf("  created %s version %s, artifact mlflow-artifacts:/%s (%d bytes, sha256:%s)%n", model, version,
                    path, artifact.length, sha256);
            mlflowCall(mlflow, "POST", "registered-models/alias", Map.of("name", model, "alias", ALIAS,
                    "version", version));
            out.printf("  set alias %s on %s version %s: MLflow sends a signed webhook to the hub%n", ALIAS, model, version);
            String subject = "models/" + model + "/versions/" + version;

            step = "1. webhook received";
            heading(step);
            EventSummary aliasSet = await(step, "no model_version.alias_set event for " + subject + " from "
                    + mlflowConnection + " in the hub's event log", () -> recentEvents(events, since).stream()
                    .filter(e -> e.getType().equals("model_version.alias_set") && e.getSubject().equals(subject)
                            && e.getSource().equals(mlflowConnection)).findFirst());
            out.printf("  event #%d %s %s from %s (signature verified, stored in the inbox)%n", aliasSet.getSeq(),
                    aliasSet.getType(), aliasSet.getSubject(), aliasSet.getSource());
            EventSummary routed = await(step, "route " + DISPATCH_ROUTE + " did not handle event #" + aliasSet.getSeq(),
                    () -> outcome(events, aliasSet.getSeq(), DISPATCH_ROUTE));
            out.printf("  route %s: %s%n", DISPATCH_ROUTE, outcomes(routed));

            step = "2. artifact copied to S3";
            heading(step);
            Delivery copy = awaitDelivery(deliveries, step, aliasSet.getSeq(), "copy-artifact");
            // The delivery stores the parameters as the hub resolved them: the copy's destination as written.
            String copied = copy.getParameters() == null ? "?" : copy.getParameters().getOrDefault("to", "?");
            out.printf("  %s -> %s%n", "mlflow-artifacts:/" + path, copied);
            out.printf("  sha256:%s (%d bytes), verified by the hub while streaming%n", sha256, artifact.length);

            step = "3. SageMaker model package registered and approved";
            heading(step);
            awaitDelivery(deliveries, step, aliasSet.getSeq(), "register-model-version");
            awaitDelivery(deliveries, step, aliasSet.getSeq(), "set-approval");
            URI sagemaker = URI.create(sandbox.path("sagemaker").path("url").asString());
            JsonNode described = await(step, "the SageMaker sandbox has no approved package of group " + model
                    + " with ModelDataUrl " + copied, () -> approvedPackage(sagemaker, copied));
            out.printf("  %s%n  ModelApprovalStatus=%s, ModelDataUrl=%s%n", described.path("ModelPackageArn").asString(),
                    described.path("ModelApprovalStatus").asString(),
                    described.path("InferenceSpecification").path("Containers").path(0).path("ModelDataUrl").asString());

            step = "4. GitHub workflow dispatched";
            heading(step);
            Delivery dispatch = awaitDelivery(deliveries, step, aliasSet.getSeq(), "dispatch-workflow");
            URI github = URI.create(sandbox.path("github").path("url").asString());
            String repository = sandbox.path("github").path("repository").asString();
            String workflow = sandbox.path("github").path("workflow").asString();
            String title = "deploy model=" + model + " version=" + version;
            JsonNode run = await(step, "the GitHub sandbox has no run \"" + title + "\" of " + repository + "/" + workflow,
                    () -> runTitled(github, repository, workflow, title));
            out.printf("  %s on %s: %s%n", workflow, repository, parameters(dispatch));
            out.printf("  run %d \"%s\" (%s), inputs model=%s, version=%s, alias=%s%n", run.path("id").asLong(),
                    run.path("display_title").asString(), run.path("status").asString(), model, version, ALIAS);

            step = "5. CI result came back and the MLflow version got its tag";
            heading(step);
            long runId = run.path("id").asLong();
            EventSummary finished = await(step, "no ci_run.finished event for run " + runId + " from " + githubConnection,
                    () -> recentEvents(events, since).stream()
                            .filter(e -> e.getType().equals("ci_run.finished") && e.getSource().equals(githubConnection)
                                    && e.getOutcomes().stream().anyMatch(o -> o.getRouteId().equals(TAG_ROUTE) && finished(o)))
                            .filter(e -> isRun(events, e.getSeq(), runId)).findFirst());
            out.printf("  event #%d %s %s from %s; route %s%n", finished.getSeq(), finished.getType(),
                    finished.getSubject(), finished.getSource(), outcomes(finished));
            String tag = await(step, "MLflow version " + version + " of " + model + " has no tag " + TAG,
                    () -> versionTag(mlflow, version));
            out.printf("  MLflow %s version %s: tag %s=%s%n", model, version, TAG, tag);

            step = "6. event log";
            heading(step);
            List<EventSummary> log = new ArrayList<>(recentEvents(events, since));
            java.util.Collections.reverse(log); // oldest first reads like the story above
            Output.table(out, List.of("SEQ", "TYPE", "SUBJECT", "SOURCE", "OUTCOMES"), log.stream().map(e -> List.of(
                    String.valueOf(e.getSeq()), e.getType(), e.getSubject(), e.getSource(), outcomes(e))).toList());
            out.println();
            out.printf("Done: %s version %s went from MLflow to S3, SageMaker and GitHub, and back (%s=%s).%n", model,
                    version, TAG, tag);
            return 0;
        } catch (StepFailed | ApiException | IOException e) {
            String message = e instanceof ApiException api ? Output.describe(api) : e.getMessage();
            spec.commandLine().getErr().println("FAILED at step " + step + ": " + message);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spec.commandLine().getErr().println("FAILED at step " + step + ": interrupted");
            return 1;
        }
    }

    // ---------------------------------------------------------------- the hub

    private JsonNode sandboxInfo() throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.url.replaceAll("/+$", "") + "/actuator/info"))
                .timeout(Duration.ofSeconds(10));
        String bearer = hub.bearer();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StepFailed("cannot reach the hub at " + hub.url + " (start it first: java -jar hub-app/target/switchboard.jar)");
        }
        if (response.statusCode() != 200) {
            throw new StepFailed("the hub at " + hub.url + " answered /actuator/info with HTTP " + response.statusCode()
                    + (response.statusCode() == 401 ? " (check --token or the token file)" : ""));
        }
        JsonNode sandbox = JSON.readTree(response.body()).path("sandbox");
        if (sandbox.isMissingNode() || sandbox.path("mlflow").path("connection").asString().isEmpty()
                || sandbox.path("github").path("connection").asString().isEmpty()) {
            throw new StepFailed("the hub at " + hub.url + " runs without the sandbox or without mlflow and github "
                    + "connections to it; start it with the quickstart switchboard.yaml (switchboard.sandbox.enabled: true)");
        }
        return sandbox;
    }

    /** Events received since the demo started, newest first. */
    private static List<EventSummary> recentEvents(EventsApi events, Instant since) throws ApiException {
        return events.searchEvents(null, null, null, null, null, null, 100).getItems().stream()
                .filter(e -> e.getReceivedAt() == null || !e.getReceivedAt().toInstant().isBefore(since)).toList();
    }

    private static Optional<EventSummary> outcome(EventsApi events, long seq, String routeId) throws ApiException {
        EventSummary summary = events.getEvent(seq).getSummary();
        return summary.getOutcomes().stream().anyMatch(o -> o.getRouteId().equals(routeId) && finished(o))
                ? Optional.of(summary) : Optional.empty();
    }

    /** Whether a route's execution of an event has reached its outcome (not pending, running or waiting). */
    private static boolean finished(dev.switchboard.client.model.EventOutcome outcome) {
        return switch (outcome.getOutcome()) {
            case DONE, FILTERED, FAILED, DEAD -> true;
            default -> false;
        };
    }

    /** Whether event {@code seq} is about the GitHub workflow run {@code runId} (its canonical data names the run). */
    private static boolean isRun(EventsApi events, long seq, long runId) {
        try {
            JsonNode data = JSON.valueToTree(events.getEvent(seq).getCloudEvent()).path("data");
            return data.path("ref").path("kind").asString().equals("workflow_run")
                    && data.path("ref").toString().contains(String.valueOf(runId));
        } catch (ApiException e) {
            return false;
        }
    }

    private Delivery awaitDelivery(DeliveriesApi deliveries, String step, long eventSeq, String action)
            throws InterruptedException, ApiException {
        java.util.concurrent.atomic.AtomicReference<Delivery> last = new java.util.concurrent.atomic.AtomicReference<>();
        Delivery delivered = await(step, () -> "the hub did not deliver " + action + " for event #" + eventSeq
                + (last.get() == null ? "" : " (delivery #" + last.get().getId() + " is " + last.get().getStatus()
                + " after " + last.get().getAttempts() + " attempt(s)"
                + (last.get().getLastError() == null ? "" : ", last error: " + last.get().getLastError()) + ")"), () -> {
            Optional<Delivery> found = deliveries.listDeliveries(null, null, null, 100).getItems().stream()
                    .filter(d -> d.getEventSeq() != null && d.getEventSeq() == eventSeq && d.getAction().equals(action))
                    .findFirst();
            found.ifPresent(last::set);
            if (found.isPresent() && found.get().getStatus() == DeliveryStatus.DEAD) {
                throw new StepFailed(action + " to " + found.get().getConnection() + " was dead-lettered: "
                        + found.get().getLastError() + " (see: switchboard dlq list)");
            }
            return found.filter(d -> d.getStatus() == DeliveryStatus.DELIVERED);
        });
        out.printf("  delivery #%d %s/%s: %s after %d attempt(s)%n", delivered.getId(), delivered.getConnection(),
                delivered.getAction(), delivered.getStatus(), delivered.getAttempts());
        return delivered;
    }

    private static String outcomes(EventSummary event) {
        return event.getOutcomes().isEmpty() ? "-" : event.getOutcomes().stream()
                .map(o -> o.getRouteId() + "=" + o.getOutcome() + (o.getStep() == null ? "" : "@step" + o.getStep())).collect(Collectors.joining(", "));
    }

    private static String parameters(Delivery delivery) {
        return delivery.getParameters() == null ? "" : delivery.getParameters().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- the sandbox's tools

    private JsonNode mlflowCall(URI mlflow, String method, String endpoint, Map<String, String> body)
            throws IOException, InterruptedException {
        URI url = mlflow.resolve("/api/2.0/mlflow/" + endpoint);
        if (method.equals("GET")) {
            url = URI.create(url + "?" + body.entrySet().stream().map(e -> e.getKey() + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&")));
            return send("GET", url, null, null);
        }
        return send(method, url, "application/json", JSON.writeValueAsBytes(body));
    }

    private Optional<String> versionTag(URI mlflow, String version) throws IOException, InterruptedException {
        for (JsonNode tag : mlflowCall(mlflow, "GET", "model-versions/get", Map.of("name", model, "version", version))
                .path("model_version").path("tags")) {
            if (tag.path("key").asString().equals(TAG)) {
                return Optional.of(tag.path("value").asString());
            }
        }
        return Optional.empty();
    }

    /** The sandbox's SageMaker checks only that a request is scoped to sagemaker, not its signature. */
    private Optional<JsonNode> approvedPackage(URI sagemaker, String modelDataUrl) throws IOException, InterruptedException {
        JsonNode list = sagemakerCall(sagemaker, "ListModelPackages", Map.of("ModelPackageGroupName", model,
                "MaxResults", 100, "SortOrder", "Descending"));
        for (JsonNode summary : list.path("ModelPackageSummaryList")) {
            JsonNode described = sagemakerCall(sagemaker, "DescribeModelPackage",
                    Map.of("ModelPackageName", summary.path("ModelPackageArn").asString()));
            if (described.path("InferenceSpecification").path("Containers").path(0).path("ModelDataUrl").asString()
                    .equals(modelDataUrl) && described.path("ModelApprovalStatus").asString().equals("Approved")) {
                return Optional.of(described);
            }
        }
        return Optional.empty();
    }

    private JsonNode sagemakerCall(URI sagemaker, String operation, Map<String, ?> input)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(sagemaker.resolve("/")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "SageMaker." + operation)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/sagemaker/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(input))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 400 && response.body().contains("ResourceNotFound")) {
            return JSON.createObjectNode(); // the group does not exist yet
        }
        if (response.statusCode() != 200) {
            throw new StepFailed("SageMaker sandbox " + operation + " answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private Optional<JsonNode> runTitled(URI github, String repository, String workflow, String title)
            throws IOException, InterruptedException {
        for (JsonNode run : send("GET", github.resolve("/repos/" + repository + "/actions/workflows/" + workflow
                + "/runs?per_page=100"), null, null).path("workflow_runs")) {
            if (run.path("display_title").asString().equals(title)) {
                return Optional.of(run); // newest first
            }
        }
        return Optional.empty();
    }

    private JsonNode send(String method, URI url, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StepFailed("cannot reach the sandbox at " + url.resolve("/") + ": " + e.getMessage());
        }
        if (response.statusCode() / 100 != 2) {
            throw new StepFailed(method + " " + url.getPath() + " answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    // ---------------------------------------------------------------- steps

    private void heading(String step) {
        out.println();
        out.println("== " + step);
        out.flush();
    }

    /** A check that may throw: polled until it finds something or the step's time is up. */
    private interface Check<T> {
        Optional<T> find() throws Exception;
    }

    private <T> T await(String step, String whatIsMissing, Check<T> check) throws InterruptedException {
        return await(step, () -> whatIsMissing, check);
    }

    private <T> T await(String step, Supplier<String> whatIsMissing, Check<T> check) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(stepTimeoutSeconds);
        Supplier<String> timedOut = () -> whatIsMissing.get() + " after " + stepTimeoutSeconds + " s";
        while (true) {
            try {
                Optional<T> found = check.find();
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (StepFailed | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new StepFailed(timedOut.get() + " (last error: " + e.getMessage() + ")");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StepFailed(timedOut.get());
            }
            Thread.sleep(250);
        }
    }

    /** A stand-in model artifact: different bytes every run, so every copy is a real one. */
    private static byte[] artifact() {
        byte[] bytes = new byte[64 * 1024];
        new Random().nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        return dev.switchboard.model.Digest.sha256Of(bytes).value();
    }
}
