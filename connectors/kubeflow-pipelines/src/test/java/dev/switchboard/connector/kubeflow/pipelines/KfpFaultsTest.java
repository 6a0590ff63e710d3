package dev.switchboard.connector.kubeflow.pipelines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.kubeflow.KfpFake;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.EventSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the Kubeflow Pipelines connector classifies what goes wrong on the wire, with faults the kit's KFP fake injects
 * in grpc-gateway's shape ({@code {"code": <gRPC code>, "message", "details"}}): what a retry can mend is
 * {@code TRANSIENT} (429 with its Retry-After, 503 Unavailable, 504 DeadlineExceeded, 500, resets, timeouts), what
 * the configuration or the route must mend is {@code CONFIGURATION} (401, 404, 400), and a {@code run-pipeline}
 * retried through transient faults, a lost answer among them, starts one run.
 */
class KfpFaultsTest {

    @Fake
    static final KfpFake KFP = new KfpFake();

    static final String TOKEN = "kfp-sa-token-7";

    private Connection connection;
    private String pipelineId;

    @BeforeEach
    void seed() {
        pipelineId = KFP.addPipeline("train-churn").get(0);
        KFP.requireBearer(TOKEN);
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
        return new KfpConnector().open(new ConnectionConfig("kfp-prod", KfpConnector.TYPE, new HashMap<>(Map.of(
                "url", KFP.baseUrl().toString(), "token", token, "request-timeout", timeout))),
                ConnectorContext.standalone());
    }

    private static ConnectorException failureOf(Runnable call) {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, call::run);
        assertThat(e).as("a classified failure").isNotNull();
        assertThat(e.getMessage()).startsWith("[kfp-prod] ").doesNotContain(TOKEN);
        return e;
    }

    private EventSource events() {
        return connection.eventSource().orElseThrow();
    }

    @Test
    void serverErrorsInGrpcGatewaysShapeAreTransientAndNameTheirGrpcCode() {
        KFP.faults().serverError(503, 1, "/runs").serverError(504, 1, "/runs").serverError(500, 1, "/runs");
        for (String expected : List.of("HTTP 503 (gRPC code 14", "HTTP 504 (gRPC code 4", "HTTP 500 (gRPC code 13")) {
            ConnectorException e = failureOf(() -> events().poll(null));
            assertThat(e.kind()).as(expected).isEqualTo(ErrorKind.TRANSIENT);
            assertThat(e.getMessage()).contains(expected);
        }
        assertThat(events().poll(null).events()).as("after the faults").isEmpty();
    }

    @Test
    void rateLimitIsTransientAndCarriesRetryAfter() {
        KFP.faults().rateLimited(Duration.ofSeconds(9), 1, "/runs");
        ConnectorException e = failureOf(() -> events().poll(null));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(9));
        assertThat(e.getMessage()).contains("HTTP 429").contains("gRPC code 8");
    }

    /** The JDK client repeats a GET whose connection was reset once by itself; a POST it does not repeat. */
    @Test
    void connectionResetsAndTimeoutsAreTransient() {
        KFP.faults().connectionReset(2, "/runs");
        assertThat(failureOf(() -> events().poll(null)).kind()).isEqualTo(ErrorKind.TRANSIENT);
        KFP.faults().slow(Duration.ofSeconds(4), 1, "/runs");
        Connection impatient = open(TOKEN, "2s");
        try {
            ConnectorException slow = failureOf(() -> impatient.eventSource().orElseThrow().poll(null));
            assertThat(slow.kind()).isEqualTo(ErrorKind.TRANSIENT);
            assertThat(slow.getMessage()).contains("timed out");
        } finally {
            impatient.close();
        }
        assertThat(KFP.faults().pending()).isZero();
    }

    @Test
    void whatOnlyTheConfigurationCanMendIsAConfigurationError() {
        Connection wrongToken = open("not-the-token", "10s");
        try {
            ConnectorException unauthenticated = failureOf(() -> wrongToken.eventSource().orElseThrow().poll(null));
            assertThat(unauthenticated.kind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(unauthenticated.getMessage()).contains("HTTP 401").contains("gRPC code 16");
        } finally {
            wrongToken.close();
        }
        ConnectorException missingPipeline = failureOf(() -> actions().perform(runOf("no-such-pipeline", "k-404")));
        assertThat(missingPipeline.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(missingPipeline.getMessage()).contains("HTTP 404").contains("gRPC code 5");
        assertThat(KFP.runs()).isEmpty();
    }

    @Test
    void runPipelineRetriedThroughTransientFaultsStartsOneRun() {
        // attempt 1: the lookup by key meets a 503; attempt 2: the lookup is answered, the create is performed but
        // answered after the request timeout; attempt 3: the lookup finds the run attempt 2 created
        KFP.faults().serverError(503, 1, "/runs").slow(Duration.ZERO, 1, "/runs").slow(Duration.ofSeconds(4), 1, "/runs");
        ActionTarget.Request request = runOf(pipelineId, "k-retried");
        assertThat(failureOf(() -> actions().perform(request)).kind()).isEqualTo(ErrorKind.TRANSIENT);
        Connection impatient = open(TOKEN, "2s");
        try {
            assertThat(failureOf(() -> impatient.actionTarget().orElseThrow().perform(request)).kind())
                    .isEqualTo(ErrorKind.TRANSIENT);
        } finally {
            impatient.close();
        }
        assertThat(KFP.runs()).as("created, although its answer was lost").hasSize(1);

        ActionTarget.Result result = actions().perform(request);

        assertThat(KFP.runs()).singleElement().satisfies(run ->
                assertThat(run.path("run_id").asString()).isEqualTo(result.outputs().get("runId")));
        assertThat(KFP.faults().pending()).isZero();
    }

    private ActionTarget actions() {
        return connection.actionTarget().orElseThrow();
    }

    private static ActionTarget.Request runOf(String pipeline, String key) {
        return new ActionTarget.Request(KfpRuns.RUN_PIPELINE, Map.of("pipeline-id", pipeline, "display-name",
                "retrain", "param.epochs", "3"), null, key);
    }
}
