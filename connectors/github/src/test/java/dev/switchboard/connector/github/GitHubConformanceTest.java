package dev.switchboard.connector.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.CheckSuite;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ErrorClassificationSuite;
import dev.switchboard.conformance.EventContentSuite;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.GoldenExample;
import dev.switchboard.conformance.SecretHandlingSuite;
import dev.switchboard.conformance.WebhookEventSourceSuite;
import dev.switchboard.conformance.fakes.github.GitHubFake;
import dev.switchboard.conformance.fakes.github.GitHubWebhookSender;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the GitHub connector through the kit's suites against the GitHub fake, plus what only GitHub has: the run id
 * with and without {@code return_run_details}, input limits, primary and secondary rate limits, {@code ping},
 * inputs on run webhooks, payloads of older servers, and no token or secret in any message.
 */
class GitHubConformanceTest extends ConnectorHarness implements ConfigSuite, WebhookEventSourceSuite,
        SecretHandlingSuite, EventContentSuite, ActionTargetSuite, CheckSuite, ErrorClassificationSuite {

    @Fake
    static final GitHubFake GITHUB = new GitHubFake();

    static final String CONNECTION = "github-kit";
    static final String TOKEN = "github_pat_kit_0123456789_do_not_leak";
    static final String SECRET = "It's a Secret to Everybody";
    static final String REPOSITORY = "acme/churn";

    private GitHubWebhookSender.Delivery delivery;

    @BeforeEach
    void repository() {
        GITHUB.requireToken(TOKEN).registerWebhook(null, SECRET)
                .addWorkflow(REPOSITORY, "deploy.yml", "deploy model=${{ inputs.model }} version=${{ inputs.version }}",
                        "model", "version", "alias", "extra", "switchboard_key");
    }

    @Override
    public Connector connector() {
        return new GitHubConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.EVENT_SOURCE, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity declaredFidelity() {
        return Fidelity.none();
    }

    @Override
    protected ConnectionConfig config() {
        return github(GITHUB.apiUrl().toString(), Map.of());
    }

    private static ConnectionConfig github(String apiUrl, Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(Map.of("api-url", apiUrl, "token", TOKEN, "repository", REPOSITORY,
                "webhook-secret", SECRET, "run-lookup-interval", "50ms"));
        options.putAll(extra);
        return new ConnectionConfig(CONNECTION, "github", options);
    }

    // ---------------------------------------------------------------- config

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(gh(Map.of()), gh(Map.of("token", "ghp_x", "repository", "octo-org/ml.models")),
                gh(Map.of("api-url", "https://ghe.example.com/api/v3", "token", "t", "api-version", "2026-03-10",
                        "webhook-secret", "s", "return-run-details", "false", "idempotency-input", "switchboard_key",
                        "run-lookup-interval", "5s", "request-timeout", "10s")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("repository without owner", gh(Map.of("repository", "churn")))
                        .expect("repository", "must be owner/repo"),
                BadConfig.of("the web site instead of the API", gh(Map.of("api-url", "https://github.com")))
                        .expect("api-url", "API's URL"),
                BadConfig.of("several problems at once", gh(Map.of("api-url", "github.com", "token", "ghp-SECRET-4",
                                "api-version", "2023-01-01", "return-run-details", "sometimes", "repo", "a/b")))
                        .expect("api-url", "absolute http(s) URL")
                        .expect("api-version", "must be one of")
                        .expect("return-run-details", "true or false")
                        .expect("repo", "not an option"));
    }

    private static ConnectionConfig gh(Map<String, String> options) {
        return new ConnectionConfig("github-prod", "github", new HashMap<>(options));
    }

    // ---------------------------------------------------------------- webhooks

    @Override
    public WebhookRequest validWebhook() {
        if (delivery == null) {
            long run = GITHUB.dispatch(REPOSITORY, "deploy.yml", Map.of("model", "churn", "version", "3"));
            GITHUB.completeRun(run, "success");
            delivery = last("workflow_run");
        }
        return delivery.toRequest(CONNECTION, Instant.now());
    }

    private static GitHubWebhookSender.Delivery last(String event) {
        List<GitHubWebhookSender.Delivery> sent = GITHUB.sentWebhooks().stream().filter(d -> d.event().equals(event)).toList();
        return sent.get(sent.size() - 1);
    }

    @Override
    public WebhookRequest webhookSignedWith(String secret) {
        validWebhook();
        return GitHubWebhookSender.resignedWith(delivery, secret).toRequest(CONNECTION, Instant.now());
    }

    @Override
    public String webhookSecret() {
        return SECRET;
    }

    @Override
    public String signatureHeader() {
        return "X-Hub-Signature-256";
    }

    @Override
    public EventType expectedWebhookEventType() {
        return EventType.CI_RUN_FINISHED;
    }

    /** A run per conclusion, from the fake's own {@code workflow_run} webhook, and what each must become. */
    @Override
    public List<GoldenExample> goldenExamples() {
        return List.of(golden("success", "SUCCEEDED"), golden("failure", "FAILED"), golden("cancelled", "CANCELLED"));
    }

    private static GoldenExample golden(String conclusion, String status) {
        long run = GITHUB.dispatch(REPOSITORY, "deploy.yml", Map.of("model", "churn", "version", "5"));
        GITHUB.completeRun(run, conclusion);
        return GoldenExample.of("workflow_run completed with " + conclusion,
                last("workflow_run").toRequest(CONNECTION, Instant.now()), """
                {"type": "ci_run.finished",
                 "data": {"status": "%s", "repository": "%s", "pipeline": ".github/workflows/deploy.yml",
                          "inputs": {"model": "churn", "version": "5"}}}""".formatted(status, REPOSITORY));
    }

    // ---------------------------------------------------------------- check and error classification

    @Override
    public ConnectionConfig configPointingAt(URI baseUrl) {
        return github(baseUrl.toString(), Map.of("request-timeout", "1s"));
    }

    @Override
    public void callTheTool(Connection connection) {
        connection.actionTarget().orElseThrow().perform(sampleAction());
    }

    @Override
    public String errorBody(int status) {
        return "{\"message\":\"injected " + status + "\",\"documentation_url\":\"https://docs.github.com/rest\"}";
    }

    // ---------------------------------------------------------------- actions

    @Override
    public ActionTarget.Request sampleAction() {
        return new ActionTarget.Request("dispatch-workflow", Map.of("workflow", "deploy.yml", "ref", "main"),
                aliasEvent(), UUID.randomUUID().toString());
    }

    private static CanonicalEvent aliasEvent() {
        return new CanonicalEvent("delivery-" + UUID.randomUUID(), CanonicalEvent.sourceOf("mlflow-kit"),
                EventType.MODEL_VERSION_ALIAS_SET, "models/churn/versions/3", Instant.now(),
                new AliasChange("churn", "champion", "3", ResourceRef.of("mlflow", "mlflow-kit", "registered_model", "churn")));
    }

    private ActionTarget actions() {
        return connection().actionTarget().orElseThrow();
    }

    private static long runId(ActionTarget.Result result) {
        return Long.parseLong(result.outputs().get("runId"));
    }

    @Test
    void dispatchSendsTheEventsModelVersionAndAliasAsInputsAndReturnsTheRun() {
        ActionTarget.Result result = actions().perform(sampleAction());
        assertThat(GITHUB.dispatches()).singleElement().satisfies(d -> {
            assertThat(d.workflow()).isEqualTo("deploy.yml");
            assertThat(d.inputs()).containsExactlyInAnyOrderEntriesOf(Map.of("model", "churn", "version", "3",
                    "alias", "champion"));
            assertThat(d.runId()).isEqualTo(runId(result));
        });
        assertThat(actions().status(result.started())).map(ActionTarget.Status::status).contains(RunStatus.QUEUED);
        GITHUB.completeRun(runId(result), "failure");
        assertThat(actions().status(result.started())).map(ActionTarget.Status::status).contains(RunStatus.FAILED);
    }

    @Test
    void serverWithoutRunDetailsGetsTheDispatchAgainAndTheRunIsFound() {
        GITHUB.enterpriseServer3_20();
        ActionTarget.Result result = actions().perform(sampleAction());
        assertThat(GITHUB.dispatches()).singleElement()
                .satisfies(d -> assertThat(d.runId()).isEqualTo(runId(result)));
    }

    @Test
    void moreThan25InputsFailAsConfigurationWithoutCallingGitHub() {
        Map<String, String> parameters = IntStream.range(0, 26).boxed()
                .collect(Collectors.toMap(i -> "input.i" + i, i -> "v"));
        parameters.put("workflow", "deploy.yml");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> actions().perform(
                new ActionTarget.Request("dispatch-workflow", parameters, aliasEvent(), "k")));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("at most 25 inputs");
        assertThat(GITHUB.dispatches()).isEmpty();
    }

    @Test
    void undeclaredInputIsAConfigurationError() {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> actions().perform(
                new ActionTarget.Request("dispatch-workflow", Map.of("workflow", "deploy.yml", "input.nope", "x"),
                        aliasEvent(), "k")));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("422").contains("Unexpected inputs provided");
    }

    @Test
    void secondaryRateLimitIsTransientAfterRetryAfter() {
        GITHUB.faults().rateLimited(Duration.ofSeconds(30), 1, "/dispatches");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> actions().perform(sampleAction()));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
    }

    @Test
    void primaryRateLimitIsTransientUntilTheReset() {
        GITHUB.exhaustRateLimitUntil(Instant.now().plusSeconds(120));
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> actions().perform(sampleAction()));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.retryAfter()).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(121)));
    }

    @Test
    void repositoryDispatchSendsTheEventAsClientPayloadOnce() {
        ActionTarget.Request request = new ActionTarget.Request("repository-dispatch",
                Map.of("event-type", "model-approved", "payload.stage", "prod"), aliasEvent(), "rd-key");
        actions().perform(request);
        actions().perform(request);
        assertThat(GITHUB.dispatches()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("repository_dispatch");
            assertThat(d.inputs()).containsEntry("model", "churn").containsEntry("stage", "prod");
        });
    }

    @Test
    void retriedDispatchAfterARestartFindsTheFirstRunByItsKey() {
        ConnectionConfig keyed = github(GITHUB.apiUrl().toString(), Map.of("idempotency-input", "switchboard_key"));
        GITHUB.addWorkflow(REPOSITORY, "keyed.yml", "deploy ${{ inputs.switchboard_key }}", "model", "version",
                "alias", "switchboard_key");
        ActionTarget.Request request = new ActionTarget.Request("dispatch-workflow", Map.of("workflow", "keyed.yml"),
                aliasEvent(), UUID.randomUUID().toString());
        ActionTarget.Result first;
        try (Connection before = connector().open(keyed, ConnectorContext.standalone())) {
            first = before.actionTarget().orElseThrow().perform(request);
        }
        try (Connection after = connector().open(keyed, ConnectorContext.standalone())) {
            assertThat(after.actionTarget().orElseThrow().perform(request).started()).isEqualTo(first.started());
        }
        assertThat(GITHUB.dispatches()).hasSize(1);
    }

    // ---------------------------------------------------------------- webhooks in detail

    @Test
    void pingIsAcknowledgedWithNoEvents() {
        assertThat(webhookSource().receive(GITHUB.ping().toRequest(CONNECTION, Instant.now()))).isEmpty();
    }

    @Test
    void finishedRunOfADispatchCarriesItsInputsAndOutcome() {
        ActionTarget.Result result = actions().perform(sampleAction());
        GITHUB.completeRun(runId(result), "success");
        List<CanonicalEvent> events = GITHUB.sentWebhooks().stream()
                .flatMap(d -> webhookSource().receive(d.toRequest(CONNECTION, Instant.now())).stream()).toList();
        assertThat(events).extracting(CanonicalEvent::type).containsExactly(EventType.CI_RUN_STARTED,
                EventType.CI_RUN_STARTED, EventType.CI_RUN_STARTED, EventType.CI_RUN_FINISHED, EventType.CI_RUN_FINISHED);
        CiRun finished = (CiRun) events.get(events.size() - 1).data();
        assertThat(finished.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finished.ref()).isEqualTo(result.started());
        assertThat(finished.inputs()).containsEntry("model", "churn").containsEntry("version", "3");
        assertThat(events.get(events.size() - 1).id()).isEqualTo("github-" + last("workflow_run").deliveryId());
    }

    @Test
    void runTitleGivesTheInputsOfRunsThisConnectionDidNotDispatch() {
        long run = GITHUB.dispatch(REPOSITORY, "deploy.yml", Map.of("model", "fraud", "version", "12"));
        GITHUB.completeRun(run, "cancelled");
        CiRun finished = (CiRun) webhookSource().receive(last("workflow_run").toRequest(CONNECTION, Instant.now()))
                .get(0).data();
        assertThat(finished.inputs()).containsEntry("model", "fraud").containsEntry("version", "12");
        assertThat(finished.status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void payloadOfAnOlderServerWithoutNewerFieldsIsAccepted() {
        GITHUB.olderServer();
        long run = GITHUB.dispatch(REPOSITORY, "deploy.yml", Map.of("model", "churn"));
        GITHUB.completeRun(run, "success");
        List<CanonicalEvent> events = webhookSource().receive(last("workflow_run").toRequest(CONNECTION, Instant.now()));
        CiRun finished = (CiRun) events.get(0).data();
        assertThat(finished.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finished.startTime()).isNotNull();
        assertThat(finished.pipeline()).isEqualTo(".github/workflows/deploy.yml");
    }

    @Test
    void noMessageContainsTheTokenOrTheSecret() {
        GITHUB.requireToken("another-token");
        ConnectorException denied = catchThrowableOfType(ConnectorException.class, () -> actions().perform(sampleAction()));
        WebhookRejectedException rejected = catchThrowableOfType(WebhookRejectedException.class,
                () -> webhookSource().receive(webhookSignedWith("wrong")));
        assertThat(denied.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(denied.getMessage()).contains("Bad credentials");
        assertThat(List.of(denied.getMessage(), rejected.getMessage(), config().toString()))
                .allSatisfy(message -> assertThat(message).doesNotContain(TOKEN).doesNotContain(SECRET));
    }
}
