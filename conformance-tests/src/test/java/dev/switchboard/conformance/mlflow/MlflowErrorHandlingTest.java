package dev.switchboard.conformance.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.PageRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the MLflow connector classifies failures, authenticates, and keeps secrets out of its messages. */
class MlflowErrorHandlingTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    private static final String TOKEN = "dapi-super-secret-token-0042";

    private Connection connection;

    private ModelRegistry registry(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(Map.of("tracking-url", MLFLOW.baseUrl().toString(),
                "request-timeout", "500ms"));
        options.putAll(extra);
        connection = new MlflowConnector().open(new ConnectionConfig("mlflow-prod", "mlflow", options),
                new ConnectorContext(MLFLOW.clock(), ArtifactResolver.NONE));
        return connection.modelRegistry().orElseThrow();
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
    }

    private static ConnectorException failureOf(Runnable call) {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, call::run);
        assertThat(e).as("a classified failure").isNotNull();
        assertThat(e.getMessage()).startsWith("[mlflow-prod] ").doesNotContain(TOKEN);
        return e;
    }

    @Test
    void serverErrorIsTransient() {
        ModelRegistry registry = registry(Map.of());
        MLFLOW.faults().serverError(503, 1, "registered-models/search");
        ConnectorException e = failureOf(() -> registry.listModels(PageRequest.first(10)));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("HTTP 503").contains("TEMPORARILY_UNAVAILABLE");
        assertThat(registry.listModels(PageRequest.first(10)).items()).as("after the fault").isEmpty();
    }

    @Test
    void rateLimitIsTransientAndCarriesRetryAfter() {
        ModelRegistry registry = registry(Map.of());
        MLFLOW.faults().rateLimited(Duration.ofSeconds(7), 1, "");
        ConnectorException e = failureOf(() -> registry.getModel("churn"));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }

    /** The JDK client retries an idempotent GET once by itself, so a GET needs two resets to fail. */
    @Test
    void connectionResetIsTransient() {
        ModelRegistry registry = registry(Map.of());
        MLFLOW.faults().connectionReset(2, "registered-models/get");
        assertThat(failureOf(() -> registry.getModel("churn")).kind()).isEqualTo(ErrorKind.TRANSIENT);
        MLFLOW.faults().connectionReset(1, "registered-models/create");
        assertThat(failureOf(() -> registry.createModel(new dev.switchboard.model.RegisteredModel(
                ModelRegistryFixtures.modelRef("churn"), "churn", null, Map.of(), Map.of(), null, null), "k")).kind())
                .isEqualTo(ErrorKind.TRANSIENT);
        assertThat(MLFLOW.faults().pending()).isZero();
    }

    @Test
    void answerSlowerThanTheRequestTimeoutIsTransient() {
        ModelRegistry registry = registry(Map.of());
        MLFLOW.faults().slow(Duration.ofSeconds(2), 1, "");
        ConnectorException e = failureOf(() -> registry.getModel("churn"));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("timed out");
    }

    @Test
    void rejectedTokenIsAConfigurationErrorWhoseMessageNeverContainsTheToken() {
        MLFLOW.requireBearer("the-right-token");
        ModelRegistry registry = registry(Map.of("token", TOKEN));
        ConnectorException e = failureOf(() -> registry.listModels(PageRequest.first(10)));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("HTTP 401");
        CheckResult check = connection.check(Duration.ofSeconds(5));
        assertThat(check.ok()).isFalse();
        assertThat(check.message()).contains("401").doesNotContain(TOKEN);
    }

    @Test
    void bearerTokenAndWorkspaceAreSentOnEveryRequest() {
        MLFLOW.requireBearer(TOKEN);
        ModelRegistry registry = registry(Map.of("token", TOKEN, "workspace", "team-a"));
        registry.createVersion(new ModelRegistryFixtures().version("churn"), "key-1");
        assertThat(connection.check(Duration.ofSeconds(5)).ok()).isTrue();
        MLFLOW.server().verify(anyRequestedFor(anyUrl()).withHeader("X-MLFLOW-WORKSPACE", equalTo("team-a")));
        assertThat(MLFLOW.server().findAll(anyRequestedFor(anyUrl()).withoutHeader("X-MLFLOW-WORKSPACE"))).isEmpty();
    }

    @Test
    void basicAuthIsAccepted() {
        MLFLOW.requireBasic("admin", "password1234");
        ModelRegistry registry = registry(Map.of("username", "admin", "password", "password1234"));
        assertThat(registry.listModels(PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void missingModelOnWriteIsAConfigurationErrorNamingIt() {
        ModelRegistry registry = registry(Map.of());
        ConnectorException e = failureOf(() -> registry.setModelTag("ghost", "k", "v"));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("RESOURCE_DOES_NOT_EXIST").contains("ghost");
    }

    @Test
    void checkReportsAnUnreachableServerWithoutThrowing() {
        ModelRegistry ignored = registry(Map.of());
        MLFLOW.faults().slow(Duration.ofSeconds(2), 1, "");
        CheckResult check = connection.check(Duration.ofMillis(200));
        assertThat(check.ok()).isFalse();
        assertThat(check.message()).contains("did not answer within");
    }
}
