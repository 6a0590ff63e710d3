package dev.switchboard.connector.kubeflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.kubeflow.KubeflowRegistryFake;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the Kubeflow Model Registry connector classifies what goes wrong on the wire, with faults the kit's registry
 * fake injects in the registry's shape ({@code {"code": "<status text>", "message"}}): 429 with Retry-After, 5xx,
 * resets and timeouts are {@code TRANSIENT}; 401, 403, 404 on a write, 409 and 422 are {@code CONFIGURATION}; and
 * {@code register-model-version} retried through transient faults, a lost answer among them, makes one version.
 */
class KubeflowRegistryFaultsTest {

    @Fake
    static final KubeflowRegistryFake REGISTRY = new KubeflowRegistryFake();

    static final String TOKEN = "mr-sa-token-3";

    private Connection connection;

    @BeforeEach
    void open() {
        REGISTRY.requireBearer(TOKEN).requireUserHeader("kubeflow-userid", "alice@example.com");
        connection = open(TOKEN, "10s");
    }

    @AfterEach
    void close() {
        connection.close();
    }

    /**
     * A connection that waits {@code timeout} for an answer. The tests' own connection is patient, so that a loaded
     * build machine cannot fail a call that should succeed; an answer is lost only on an impatient one (2 s).
     */
    private static Connection open(String token, String timeout) {
        return new KubeflowRegistryConnector().open(new ConnectionConfig("kf-prod", KubeflowRegistryConnector.TYPE,
                new HashMap<>(Map.of("url", REGISTRY.baseUrl().toString(), "token", token, "user-id",
                        "alice@example.com", "request-timeout", timeout, "page-size", "5"))),
                ConnectorContext.standalone());
    }

    private static ConnectorException failureOf(Runnable call) {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, call::run);
        assertThat(e).as("a classified failure").isNotNull();
        assertThat(e.getMessage()).startsWith("[kf-prod] ").doesNotContain(TOKEN);
        return e;
    }

    private ModelRegistry registry() {
        return connection.modelRegistry().orElseThrow();
    }

    @Test
    void serverErrorsAreTransientAndQuoteTheRegistrysErrorBody() {
        REGISTRY.faults().serverError(503, 1, "/registered_models").serverError(504, 1, "/registered_models")
                .serverError(500, 1, "/registered_models");
        for (String expected : List.of("HTTP 503 (Service Unavailable", "HTTP 504 (Gateway Timeout",
                "HTTP 500 (Internal Server Error")) {
            ConnectorException e = failureOf(() -> registry().listModels(PageRequest.first(5)));
            assertThat(e.kind()).as(expected).isEqualTo(ErrorKind.TRANSIENT);
            assertThat(e.getMessage()).contains(expected);
        }
        assertThat(registry().listModels(PageRequest.first(5)).items()).as("after the faults").isEmpty();
    }

    @Test
    void rateLimitIsTransientAndCarriesRetryAfter() {
        REGISTRY.faults().rateLimited(Duration.ofSeconds(4), 1, "");
        ConnectorException e = failureOf(() -> registry().getModel("churn"));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(4));
    }

    /** The JDK client repeats a GET whose connection was reset once by itself; a POST it does not repeat. */
    @Test
    void connectionResetsAndTimeoutsAreTransient() {
        REGISTRY.faults().connectionReset(2, "/registered_model");
        assertThat(failureOf(() -> registry().getModel("churn")).kind()).isEqualTo(ErrorKind.TRANSIENT);
        REGISTRY.faults().connectionReset(1, "/registered_models");
        assertThat(failureOf(() -> registry().createModel(model("churn"), "k")).kind()).isEqualTo(ErrorKind.TRANSIENT);
        REGISTRY.faults().slow(Duration.ofSeconds(4), 1, "/registered_model");
        Connection impatient = open(TOKEN, "2s");
        try {
            ConnectorException slow = failureOf(() -> impatient.modelRegistry().orElseThrow().getModel("churn"));
            assertThat(slow.kind()).isEqualTo(ErrorKind.TRANSIENT);
            assertThat(slow.getMessage()).contains("timed out");
        } finally {
            impatient.close();
        }
        assertThat(REGISTRY.faults().pending()).isZero();
    }

    @Test
    void whatOnlyTheConfigurationCanMendIsAConfigurationError() {
        Connection wrongToken = open("not-the-token", "10s");
        try {
            ConnectorException unauthorized = failureOf(() -> wrongToken.modelRegistry().orElseThrow().getModel("x"));
            assertThat(unauthorized.kind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(unauthorized.getMessage()).contains("HTTP 401").contains("Unauthorized");
        } finally {
            wrongToken.close();
        }
        REGISTRY.requireUserHeader("kubeflow-userid", "bob@example.com");
        ConnectorException forbidden = failureOf(() -> registry().getModel("x"));
        assertThat(forbidden.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(forbidden.getMessage()).contains("HTTP 403");
        REGISTRY.requireUserHeader("kubeflow-userid", "alice@example.com");
        ConnectorException missing = failureOf(() -> registry().setVersionTag("ghost", "1", "k", "v"));
        assertThat(missing.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(missing.getMessage()).contains("ghost");
    }

    @Test
    void registerRetriedThroughTransientFaultsMakesOneVersion() {
        // attempt 1: the create of the version meets a 503; attempt 2: it is performed but answered after the
        // request timeout; attempt 3: the lookup by externalId finds it, and the artifact is added
        REGISTRY.faults().serverError(503, 1, "/model_versions").slow(Duration.ofSeconds(4), 1, "/model_versions");
        ActionTarget actions = connection.actionTarget().orElseThrow();
        ActionTarget.Request request = register("k-retried");
        assertThat(failureOf(() -> actions.perform(request)).kind()).isEqualTo(ErrorKind.TRANSIENT);
        Connection impatient = open(TOKEN, "2s");
        try {
            assertThat(failureOf(() -> impatient.actionTarget().orElseThrow().perform(request)).kind())
                    .isEqualTo(ErrorKind.TRANSIENT);
        } finally {
            impatient.close();
        }
        assertThat(REGISTRY.versions()).as("created, although its answer was lost").hasSize(1);
        assertThat(REGISTRY.artifacts()).as("the artifact comes after the version's answer").isEmpty();

        ActionTarget.Result result = actions.perform(request);

        assertThat(REGISTRY.versions()).singleElement().satisfies(v ->
                assertThat(v.path("id").asString()).isEqualTo(result.outputs().get("versionId")));
        assertThat(REGISTRY.artifacts()).singleElement().satisfies(a ->
                assertThat(a.path("uri").asString()).isEqualTo("s3://models/churn/run-9/model.joblib"));
        assertThat(actions.perform(request).started()).as("once more").isEqualTo(result.started());
        assertThat(REGISTRY.faults().pending()).isZero();
    }

    private static RegisteredModel model(String name) {
        return new RegisteredModel(ResourceRef.of("kubeflow-registry", "kf-prod", "registered_model", name), name,
                null, Map.of(), Map.of(), null, null);
    }

    private static ActionTarget.Request register(String key) {
        PipelineRun run = new PipelineRun(ResourceRef.of("kubeflow-pipelines", "kfp-prod", "pipeline_run", "run-9"),
                "train-churn", "nightly", RunStatus.SUCCEEDED, null, null, Map.of("model_name", "churn"));
        CanonicalEvent event = new CanonicalEvent("poll:run/run-9/SUCCEEDED", CanonicalEvent.sourceOf("kfp-prod"),
                EventType.PIPELINE_RUN_FINISHED, "pipeline-runs/run-9", Instant.now(), run);
        return new ActionTarget.Request(RegistryActions.REGISTER, Map.of("model", "churn",
                "artifact-uri", "s3://models/churn/run-9/model.joblib"), event, key);
    }
}
