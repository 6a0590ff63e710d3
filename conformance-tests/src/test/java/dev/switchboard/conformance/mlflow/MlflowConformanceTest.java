package dev.switchboard.conformance.mlflow;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.ArtifactStoreSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.CheckSuite;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ErrorClassificationSuite;
import dev.switchboard.conformance.EventContentSuite;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.GoldenExample;
import dev.switchboard.conformance.ModelRegistrySuite;
import dev.switchboard.conformance.PollingEventSourceSuite;
import dev.switchboard.conformance.SecretHandlingSuite;
import dev.switchboard.conformance.WebhookEventSourceSuite;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowWebhookSender;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.PageRequest;
import dev.switchboard.spi.WebhookRequest;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs the MLflow connector through every suite of the kit against the MLflow fake, its action
 * {@code register-model-version} included.
 */
class MlflowConformanceTest extends ConnectorHarness implements ConfigSuite, ModelRegistrySuite,
        WebhookEventSourceSuite, SecretHandlingSuite, EventContentSuite, PollingEventSourceSuite, ArtifactStoreSuite,
        ActionTargetSuite, CheckSuite, ErrorClassificationSuite {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    static final String CONNECTION = "mlflow-kit";
    static final String SECRET = "kit-webhook-secret-4711";
    static final String TOKEN = "kit-api-token-0815";

    private MlflowWebhookSender.Delivery delivery;

    @BeforeEach
    void registerWebhook() {
        MLFLOW.registerWebhook(null, SECRET);
    }

    @Override
    public Connector connector() {
        return new MlflowConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.ARTIFACT_STORE, Capability.EVENT_SOURCE,
                Capability.EXPERIMENT_TRACKER, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity declaredFidelity() {
        return new MlflowConnector().fidelity();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig(CONNECTION, "mlflow", Map.of("tracking-url", MLFLOW.baseUrl().toString(),
                "webhook-secret", SECRET, "page-size", "3"));
    }

    @Override
    protected ConnectorContext context() {
        return new ConnectorContext(MLFLOW.clock(), ArtifactResolver.NONE);
    }

    // ---------------------------------------------------------------- config

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(
                mlflow(Map.of("tracking-url", "http://mlflow:5000")),
                mlflow(Map.of("tracking-url", "https://mlflow.example.com/", "token", "t0k3n-secret")),
                mlflow(Map.of("tracking-url", "https://mlflow.example.com", "username", "admin",
                        "password", "password1234", "workspace", "team-a", "webhook-secret", "whs",
                        "webhook-max-age", "2m", "request-timeout", "PT10S", "page-size", "1000")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("no tracking URL", mlflow(Map.of())).expect("tracking-url", "required"),
                BadConfig.of("not an http URL", mlflow(Map.of("tracking-url", "mlflow:5000")))
                        .expect("tracking-url", "absolute http(s) URL, was \"mlflow:5000\""),
                BadConfig.of("URL with the API path", mlflow(Map.of("tracking-url", "http://m:5000/api/2.0/mlflow")))
                        .expect("tracking-url", "without /api/2.0"),
                BadConfig.of("token and basic auth", mlflow(Map.of("tracking-url", "http://m", "token", "tok-SECRET",
                        "username", "u", "password", "pw-SECRET"))).expect("token", "not both"),
                BadConfig.of("username without password", mlflow(Map.of("tracking-url", "http://m", "username", "u")))
                        .expect("password", "required when username is set"),
                BadConfig.of("page size above MLflow's limit", mlflow(Map.of("tracking-url", "http://m",
                        "page-size", "5000"))).expect("page-size", "between 1 and 1000"),
                BadConfig.of("several problems at once", mlflow(Map.of("tracking-url", "ftp://m",
                                "password", "pw-SECRET-2", "request-timeout", "soon", "page-size", "many",
                                "trackingurl", "http://m")))
                        .expect("tracking-url", "absolute http")
                        .expect("username", "required when password is set")
                        .expect("request-timeout", "duration")
                        .expect("page-size", "whole number")
                        .expect("trackingurl", "not an option"));
    }

    private static ConnectionConfig mlflow(Map<String, String> options) {
        return new ConnectionConfig("mlflow-prod", "mlflow", new HashMap<>(options));
    }

    // ---------------------------------------------------------------- webhooks

    @Override
    public WebhookRequest validWebhook() {
        if (delivery == null) {
            MLFLOW.createModelVersion("churn", "s3://models/churn/1");
            List<MlflowWebhookSender.Delivery> sent = MLFLOW.sentWebhooks();
            delivery = sent.get(sent.size() - 1);
        }
        return delivery.toRequest(CONNECTION, MLFLOW.clock().instant());
    }

    @Override
    public WebhookRequest webhookSignedWith(String secret) {
        validWebhook();
        return MlflowWebhookSender.resignedWith(delivery, secret).toRequest(CONNECTION, MLFLOW.clock().instant());
    }

    @Override
    public String webhookSecret() {
        return SECRET;
    }

    @Override
    public String signatureHeader() {
        return "X-MLflow-Signature";
    }

    @Override
    public EventType expectedWebhookEventType() {
        return EventType.MODEL_VERSION_CREATED;
    }

    @Override
    public Optional<WebhookRequest> staleWebhook() {
        MlflowWebhookSender.Delivery old = MLFLOW.webhookSender().delivery(UUID.randomUUID().toString(),
                MLFLOW.clock().instant().minus(Duration.ofMinutes(6)), "model_version_tag", "set",
                Map.of("name", "churn", "version", "1", "key", "k", "value", "v"));
        return Optional.of(old.toRequest(CONNECTION, MLFLOW.clock().instant()));
    }

    @Override
    public List<GoldenExample> goldenExamples() {
        MlflowWebhookSender sender = MLFLOW.webhookSender();
        return List.of(
                GoldenExample.of("model_version.created", request(sender.delivery("model_version", "created",
                        Map.of("name", "churn", "version", "7", "source", "s3://models/churn/7", "run_id", "r-42",
                                "description", "retrained", "tags", Map.of("team", "growth")))), """
                        {"type": "model_version.created", "subject": "models/churn/versions/7",
                         "data": {"modelName": "churn", "version": "7", "description": "retrained",
                                  "tags": {"team": "growth"}, "stage": "NONE"}}"""),
                GoldenExample.of("model_version_alias.created", request(sender.delivery("model_version_alias",
                        "created", Map.of("name", "churn", "alias", "champion", "version", "3"))), """
                        {"type": "model_version.alias_set", "subject": "models/churn/versions/3",
                         "data": {"modelName": "churn", "alias": "champion", "version": "3"}}"""),
                GoldenExample.of("model_version_tag.set", request(sender.delivery("model_version_tag", "set",
                        Map.of("name", "churn", "version", "2", "key", "validated", "value", "true"))), """
                        {"type": "model_version.tag_set", "subject": "models/churn/versions/2",
                         "data": {"modelName": "churn", "version": "2", "key": "validated", "value": "true"}}"""));
    }

    private static WebhookRequest request(MlflowWebhookSender.Delivery delivery) {
        return delivery.toRequest(CONNECTION, MLFLOW.clock().instant());
    }

    // ---------------------------------------------------------------- check and error classification

    @Override
    public ConnectionConfig configPointingAt(URI baseUrl) {
        return new ConnectionConfig(CONNECTION, "mlflow", Map.of("tracking-url", baseUrl.toString(), "token", TOKEN,
                "webhook-secret", SECRET, "request-timeout", "PT1S"));
    }

    @Override
    public void callTheTool(Connection connection) {
        connection.modelRegistry().orElseThrow().listModels(PageRequest.first(10));
    }

    @Override
    public String errorBody(int status) {
        String code = switch (status) {
            case 400 -> "INVALID_PARAMETER_VALUE";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 429 -> "REQUEST_LIMIT_EXCEEDED";
            default -> "INTERNAL_ERROR";
        };
        return "{\"error_code\":\"" + code + "\",\"message\":\"injected\"}";
    }

    // ---------------------------------------------------------------- polling, artifacts, actions

    @Override
    public String makeChange() {
        String version = MLFLOW.createModelVersion("polled", "s3://models/polled");
        return "models/polled/versions/" + version;
    }

    @Override
    public URI artifactUri(String name) {
        return URI.create("mlflow-artifacts:/kit/" + name);
    }

    @Override
    public ActionTarget.Request sampleAction() {
        PipelineRun run = new PipelineRun(ResourceRef.of("kubeflow-pipelines", "kfp-prod", "pipeline_run", "run-7"),
                "train-churn", "nightly", RunStatus.SUCCEEDED, null, null, Map.of("model_name", "churn-kit",
                "epochs", "20"));
        CanonicalEvent event = new CanonicalEvent(UUID.randomUUID().toString(), CanonicalEvent.sourceOf("kfp-prod"),
                EventType.PIPELINE_RUN_FINISHED, "runs/run-7", MLFLOW.clock().instant(), run);
        return new ActionTarget.Request("register-model-version", Map.of("model", "churn-kit",
                "artifact-uri", "s3://models/churn/run-7/model.joblib"), event, "action-" + UUID.randomUUID());
    }
}
