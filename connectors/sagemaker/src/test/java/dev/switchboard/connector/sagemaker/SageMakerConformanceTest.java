package dev.switchboard.connector.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.CheckSuite;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ErrorClassificationSuite;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.ModelRegistrySuite;
import dev.switchboard.conformance.SecretHandlingSuite;
import dev.switchboard.conformance.WebhookEventSourceSuite;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ApprovalChange;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.PageRequest;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Runs the SageMaker connector through the kit's suites against the SageMaker fake, plus the SageMaker-specific
 * behaviour the suites cannot know: error classification, EventBridge duplicates, the register and approve
 * actions, and that no secret reaches a message. SageMaker authenticates EventBridge deliveries with a shared
 * secret header, so the body-changing webhook tests are skipped (see {@link #signatureCoversBody()}).
 */
class SageMakerConformanceTest extends ConnectorHarness implements ConfigSuite, ModelRegistrySuite,
        WebhookEventSourceSuite, SecretHandlingSuite, ActionTargetSuite, CheckSuite, ErrorClassificationSuite {

    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();

    static final String CONNECTION = "sagemaker-kit";
    static final String ACCESS_KEY_ID = "AKIAKITEXAMPLE0815";
    static final String SECRET_ACCESS_KEY = "kit-secret-access-key-do-not-leak";
    static final String WEBHOOK_SECRET = "kit-eventbridge-api-key-4711";
    static final String HEADER = "X-Switchboard-Secret";
    static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kit:1.0";

    private SageMakerFake.Delivery delivery;

    @Override
    public Connector connector() {
        return new SageMakerConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.EVENT_SOURCE, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity declaredFidelity() {
        return new SageMakerConnector().fidelity();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig(CONNECTION, "sagemaker", Map.of("region", "eu-west-1",
                "endpoint-override", SAGEMAKER.endpoint().toString(), "access-key-id", ACCESS_KEY_ID,
                "secret-access-key", SECRET_ACCESS_KEY, "webhook-secret", WEBHOOK_SECRET, "default-image", IMAGE,
                "page-size", "3", "max-attempts", "1"));
    }

    // ---------------------------------------------------------------- config

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(
                sagemaker(Map.of()),
                sagemaker(Map.of("region", "eu-west-1")),
                sagemaker(Map.of("region", "us-gov-west-1", "access-key-id", "AKIA1", "secret-access-key", "s3cr3t",
                        "session-token", "tok", "endpoint-override", "https://vpce-1.api.sagemaker.example.com",
                        "webhook-secret", "whs", "webhook-header", "X-Api-Key", "page-size", "100",
                        "max-attempts", "5", "request-timeout", "10s")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("access key without secret key", sagemaker(Map.of("access-key-id", "AKIA-SECRET-1")))
                        .expect("secret-access-key", "required when access-key-id is set"),
                BadConfig.of("endpoint override without region", sagemaker(Map.of("endpoint-override", "http://127.0.0.1:1")))
                        .expect("region", "required with endpoint-override"),
                BadConfig.of("page size above MaxResults", sagemaker(Map.of("page-size", "500")))
                        .expect("page-size", "between 1 and 100"),
                BadConfig.of("several problems at once", sagemaker(Map.of("region", "Europe",
                                "secret-access-key", "sk-SECRET-2", "endpoint-override", "api.sagemaker",
                                "max-attempts", "zero", "regoin", "eu-west-1")))
                        .expect("region", "must be an AWS region")
                        .expect("access-key-id", "required when secret-access-key is set")
                        .expect("endpoint-override", "absolute http(s) URL")
                        .expect("max-attempts", "whole number")
                        .expect("regoin", "not an option"));
    }

    private static ConnectionConfig sagemaker(Map<String, String> options) {
        return new ConnectionConfig("sagemaker-prod", "sagemaker", new HashMap<>(options));
    }

    // ---------------------------------------------------------------- check and error classification

    @Override
    public ConnectionConfig configPointingAt(URI baseUrl) {
        return new ConnectionConfig(CONNECTION, "sagemaker", Map.of("region", "eu-west-1",
                "endpoint-override", baseUrl.toString(), "access-key-id", ACCESS_KEY_ID,
                "secret-access-key", SECRET_ACCESS_KEY, "webhook-secret", WEBHOOK_SECRET, "max-attempts", "1",
                "request-timeout", "1s"));
    }

    @Override
    public void callTheTool(Connection connection) {
        connection.modelRegistry().orElseThrow().listModels(PageRequest.first(3));
    }

    /** awsJson 1.1's error shape, with the codes SageMaker answers for each status. */
    @Override
    public String errorBody(int status) {
        String type = switch (status) {
            case 400 -> "ValidationException";
            case 401 -> "UnrecognizedClientException";
            case 403 -> "AccessDeniedException";
            case 429 -> "ThrottlingException";
            case 503 -> "ServiceUnavailable";
            default -> "InternalFailure";
        };
        return "{\"__type\":\"" + type + "\",\"message\":\"injected " + status + "\"}";
    }

    // ---------------------------------------------------------------- webhooks

    @Override
    public WebhookRequest validWebhook() {
        if (delivery == null) {
            SAGEMAKER.call("CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn"));
            SAGEMAKER.call("CreateModelPackage", Map.of("ModelPackageGroupName", "churn"));
            delivery = SAGEMAKER.events().get(SAGEMAKER.events().size() - 1);
        }
        return delivery.toRequest(CONNECTION, HEADER, WEBHOOK_SECRET, Instant.now());
    }

    @Override
    public WebhookRequest webhookSignedWith(String secret) {
        validWebhook();
        return delivery.toRequest(CONNECTION, HEADER, secret, Instant.now());
    }

    @Override
    public String webhookSecret() {
        return WEBHOOK_SECRET;
    }

    @Override
    public String signatureHeader() {
        return HEADER;
    }

    @Override
    public boolean signatureCoversBody() {
        return false;
    }

    @Override
    public EventType expectedWebhookEventType() {
        return EventType.MODEL_VERSION_CREATED;
    }

    // ---------------------------------------------------------------- actions

    @Override
    public ActionTarget.Request sampleAction() {
        return new ActionTarget.Request("register-model-version", Map.of("image", IMAGE,
                "model-data-url", "s3://kit-models/churn/3/model.tar.gz"), aliasEvent("churn", "3"),
                UUID.randomUUID().toString());
    }

    private static CanonicalEvent aliasEvent(String model, String version) {
        return new CanonicalEvent("mlflow-delivery-" + UUID.randomUUID(), CanonicalEvent.sourceOf("mlflow-kit"),
                EventType.MODEL_VERSION_ALIAS_SET, "models/" + model + "/versions/" + version, Instant.now(),
                new AliasChange(model, "champion", version, ResourceRef.of("mlflow", "mlflow-kit", "registered_model", model)));
    }

    private ActionTarget actions() {
        return connection().actionTarget().orElseThrow();
    }

    @Test
    void registerFromAnAliasEventCreatesOnePackageWithTheModelDataAndImage() {
        ActionTarget.Request request = sampleAction();
        ActionTarget.Result first = actions().perform(request);
        ActionTarget.Result retried = actions().perform(request);

        assertThat(retried.outputs()).isEqualTo(first.outputs());
        assertThat(SAGEMAKER.packages("churn")).hasSize(1);
        JsonNode described = SAGEMAKER.describe("churn", 1);
        JsonNode container = described.path("InferenceSpecification").path("Containers").path(0);
        assertThat(container.path("Image").asString()).isEqualTo(IMAGE);
        assertThat(container.path("ModelDataUrl").asString()).isEqualTo("s3://kit-models/churn/3/model.tar.gz");
        assertThat(described.path("ModelApprovalStatus").asString()).isEqualTo("PendingManualApproval");
        assertThat(described.path("CustomerMetadataProperties").path("switchboard.alias.champion").asString())
                .isEqualTo("true");
        assertThat(described.path("CustomerMetadataProperties").path("switchboard.source").asString())
                .isEqualTo("mlflow-kit:churn/3");
    }

    @Test
    void setApprovalApprovesThePackageRegisteredForTheSourceVersion() {
        CanonicalEvent event = aliasEvent("fraud-model", "7");
        actions().perform(new ActionTarget.Request("register-model-version", Map.of("model-data-url",
                "s3://kit-models/fraud-model/7/model.tar.gz"), event, "register-" + UUID.randomUUID()));
        ActionTarget.Result approved = actions().perform(new ActionTarget.Request("set-approval",
                Map.of("status", "Approved"), event, "approve-" + UUID.randomUUID()));

        assertThat(approved.outputs()).containsEntry("approval", "Approved").containsEntry("version", "1");
        assertThat(SAGEMAKER.describe("fraud-model", 1).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(actions().status(approved.started())).map(ActionTarget.Status::status)
                .contains(dev.switchboard.model.RunStatus.SUCCEEDED);
    }

    @Test
    void metricsAndTagsShareTheMetadataPropertiesAndReadBackApart() {
        String name = uniqueModelName();
        ModelVersion version = new ModelVersion(ResourceRef.of("kit", "kit", "model_version", name + "/1"), name, "1",
                null, null, null, Set.of(), null, null, Map.of("team", "risk"), Map.of("auc", 0.91), Map.of(), null, null);
        ModelVersion created = registry().createVersion(version, UUID.randomUUID().toString());

        assertThat(created.tags()).containsExactly(Map.entry("team", "risk"));
        assertThat(created.metrics()).containsExactly(Map.entry("auc", 0.91));
        assertThat(SAGEMAKER.describe(name, 1).path("CustomerMetadataProperties").path("metric.auc").asString())
                .isEqualTo("0.91");
    }

    @Test
    void moreMetadataThanSageMakerHoldsFailsAsConfigurationBeforeAnyCall() {
        Map<String, String> tags = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            tags.put("tag" + i, "v");
        }
        ModelVersion version = new ModelVersion(ResourceRef.of("kit", "kit", "model_version", "x/1"), "too-many", "1",
                null, null, null, Set.of(), null, null, tags, Map.of(), Map.of(), null, null);
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> registry().createVersion(version, "k"));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("at most 50 metadata properties");
        assertThat(SAGEMAKER.server().findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))
                .withHeader("X-Amz-Target", com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                        "SageMaker.CreateModelPackage")))).isEmpty();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void throttlingIsTransient() {
        SAGEMAKER.faults().rateLimited(Duration.ofSeconds(1), 1, "ListModelPackageGroups");
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> registry().listModels(PageRequest.first(3)));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("ThrottlingException").contains(CONNECTION);
    }

    @Test
    void validationExceptionIsAConfigurationErrorWithTheSanitisedCode() {
        SAGEMAKER.failNext("CreateModelPackageGroup", 400, "ValidationException", "1 validation error detected");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> registry().createModel(
                new dev.switchboard.model.RegisteredModel(ResourceRef.of("kit", "kit", "registered_model", "x"),
                        "valid-name", null, Map.of(), Map.of(), null, null), "key"));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("ValidationException:").doesNotContain("internal.amazon.com");
    }

    /** SageMaker's group names are {@code [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}}: other model names are made to fit. */
    @Test
    void aModelNameSageMakerCannotHoldIsMadeIntoAValidGroupName() {
        var registry = registry();
        var created = registry.createModel(new dev.switchboard.model.RegisteredModel(
                ResourceRef.of("kit", "kit", "registered_model", "x"), "churn_model.v2 (eu)", null, Map.of(), Map.of(),
                null, null), "key");

        assertThat(created.name()).isEqualTo("churn-model-v2-eu");
        assertThat(registry.getModel("churn_model.v2 (eu)")).map(m -> m.name()).contains("churn-model-v2-eu");
    }

    @Test
    void conflictOnCreateReturnsThePackageTheSameKeyCreated() {
        String name = uniqueModelName();
        ModelVersion first = registry().createVersion(newVersion(name), "conflict-key");
        SAGEMAKER.failNext("CreateModelPackage", 400, "ConflictException", "Another request is in progress");
        ModelVersion again = registry().createVersion(newVersion(name), "conflict-key");
        assertThat(again.version()).isEqualTo(first.version());
    }

    @Test
    void conflictOnApprovalThatDidNotApplyIsTransient() {
        String name = uniqueModelName();
        String version = registry().createVersion(newVersion(name), UUID.randomUUID().toString()).version();
        SAGEMAKER.failNext("UpdateModelPackage", 400, "ConflictException", "concurrent update");
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> registry().setApproval(name, version, ApprovalStatus.APPROVED));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    void noMessageContainsASecret() {
        SAGEMAKER.requireAccessKeyId("AKIASOMEBODYELSE");
        ConnectorException denied = catchThrowableOfType(ConnectorException.class,
                () -> registry().listModels(PageRequest.first(3)));
        WebhookRejectedException rejected = catchThrowableOfType(WebhookRejectedException.class,
                () -> webhookSource().receive(webhookSignedWith("wrong")));
        assertThat(denied.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(List.of(denied.getMessage(), rejected.getMessage(), config().toString()))
                .allSatisfy(message -> assertThat(message).doesNotContain(SECRET_ACCESS_KEY)
                        .doesNotContain(ACCESS_KEY_ID).doesNotContain(WEBHOOK_SECRET));
    }

    // ---------------------------------------------------------------- EventBridge

    @Test
    void duplicateEventBridgeEventsOfOneChangeShareTheirEventIds() {
        SAGEMAKER.duplicateEvents(true);
        String name = uniqueModelName();
        String version = registry().createVersion(newVersion(name), UUID.randomUUID().toString()).version();
        registry().setApproval(name, version, ApprovalStatus.APPROVED);

        List<List<CanonicalEvent>> received = SAGEMAKER.events().stream()
                .map(d -> webhookSource().receive(d.toRequest(CONNECTION, HEADER, WEBHOOK_SECRET, Instant.now())))
                .toList();
        assertThat(received).hasSize(4);
        assertThat(ids(received.get(1))).as("the duplicate of the create event").isEqualTo(ids(received.get(0)));
        assertThat(ids(received.get(3))).as("the duplicate of the approval event").isEqualTo(ids(received.get(2)));
        assertThat(received.get(2)).filteredOn(e -> e.type() == EventType.MODEL_VERSION_APPROVAL_CHANGED)
                .extracting(e -> ((ApprovalChange) e.data()).to()).containsExactly(ApprovalStatus.APPROVED);
    }

    private static List<String> ids(List<CanonicalEvent> events) {
        return events.stream().map(CanonicalEvent::id).toList();
    }

    @Test
    void eventWithEpochTimesAndWithoutNewerFieldsIsAccepted() {
        String body = """
                {"version":"0","id":"1","detail-type":"SageMaker Model Package State Change","source":"aws.sagemaker",
                 "detail":{"ModelPackageGroupName":"churn","ModelPackageVersion":2,
                  "ModelPackageArn":"arn:aws:sagemaker:us-east-2:123456789012:model-package/churn/2",
                  "CreationTime":1614186014.5,"LastModifiedTime":1614189999.25,"ModelApprovalStatus":"Rejected"}}""";
        List<CanonicalEvent> events = webhookSource().receive(new WebhookRequest(CONNECTION,
                Map.of(HEADER, List.of(WEBHOOK_SECRET)), body.getBytes(StandardCharsets.UTF_8), Instant.now()));
        assertThat(events).extracting(CanonicalEvent::type)
                .containsExactly(EventType.MODEL_VERSION_UPDATED, EventType.MODEL_VERSION_APPROVAL_CHANGED);
        assertThat(((ApprovalChange) events.get(1).data()).to()).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(((ModelVersion) events.get(0).data()).updatedAt()).isEqualTo(Instant.ofEpochSecond(1614189999, 250_000_000));
    }

    @Test
    void bodyThatIsNotJsonIsRejectedAsMalformed() {
        WebhookRequest garbage = WebhookEventSourceSuite.withBody(validWebhook(), "not json".getBytes(StandardCharsets.UTF_8));
        WebhookRejectedException e = catchThrowableOfType(WebhookRejectedException.class,
                () -> webhookSource().receive(garbage));
        assertThat(e.reason()).isEqualTo(WebhookRejectedException.Reason.MALFORMED);
    }
}
