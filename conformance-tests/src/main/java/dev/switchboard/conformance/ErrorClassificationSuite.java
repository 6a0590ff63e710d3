package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How a connector classifies its tool's failures, against a {@link FaultServer} that answers every request with
 * one failure: 429 with {@code Retry-After} is TRANSIENT and carries the delay; 5xx, a request slower than the
 * connector's timeout and a reset connection are TRANSIENT; 400, 401 and 403 are CONFIGURATION (never retried).
 * Every failure leaves the port as a {@link ConnectorException} naming the connection, and no message of it or of
 * its causes contains a secret of the configuration.
 */
public interface ErrorClassificationSuite extends PointedConnector {

    /**
     * One call of the connector to its tool through a port (a read of the registry, a workflow dispatch), which
     * must throw when the tool fails. Called on a connection opened from {@link #configPointingAt}.
     */
    void callTheTool(Connection connection);

    /**
     * The tool's error body for {@code status}, in its own shape (MLflow's {@code error_code}, AWS's
     * {@code __type}), so classification by the tool's own code is exercised; a generic JSON message by default.
     */
    default String errorBody(int status) {
        return "{\"message\":\"injected failure " + status + "\"}";
    }

    @Test
    default void rateLimitingIsTransientAndCarriesRetryAfter() {
        ConnectorException failure = failureFor(FaultServer.rateLimited(Duration.ofSeconds(7), errorBody(429)));
        assertThat(failure.kind()).as("429: %s", failure.getMessage()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(failure.retryAfter()).as("Retry-After: 7 honoured").contains(Duration.ofSeconds(7));
    }

    @Test
    default void serverErrorsAreTransient() {
        for (int status : new int[] {500, 502, 503}) {
            ConnectorException failure = failureFor(FaultServer.status(status, errorBody(status)));
            assertThat(failure.kind()).as("%d: %s", status, failure.getMessage()).isEqualTo(ErrorKind.TRANSIENT);
        }
    }

    @Test
    default void aToolSlowerThanTheRequestTimeoutIsTransient() {
        ConnectorException failure = failureFor(FaultServer.slow(requestTimeout().plusSeconds(2)));
        assertThat(failure.kind()).as("timeout: %s", failure.getMessage()).isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    default void aResetConnectionIsTransient() {
        ConnectorException failure = failureFor(FaultServer.connectionReset());
        assertThat(failure.kind()).as("reset: %s", failure.getMessage()).isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    default void clientErrorsAreConfigurationAndNeverRetried() {
        for (int status : new int[] {400, 401, 403}) {
            ConnectorException failure = failureFor(FaultServer.status(status, errorBody(status)));
            assertThat(failure.kind()).as("%d: %s", status, failure.getMessage()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(failure.isRetryable()).isFalse();
        }
    }

    /**
     * Calls the tool behind {@code answer} and returns what the connector threw, after checking that it is a
     * {@link ConnectorException} of this connection whose messages echo no secret.
     */
    private ConnectorException failureFor(ResponseDefinitionBuilder answer) {
        URI url = FaultServer.answer(answer);
        ConnectionConfig config = configPointingAt(url);
        Throwable thrown;
        try (Connection connection = connector().open(config, ConnectorContext.standalone())) {
            thrown = catchThrowable(() -> callTheTool(connection));
        }
        assertThat(thrown).as("the call must fail when the tool does").isNotNull();
        assertThat(thrown).as("a failure leaves the port as a ConnectorException").isInstanceOf(ConnectorException.class);
        ConnectorException failure = (ConnectorException) thrown;
        assertThat(failure.connection()).isEqualTo(config.name());
        for (String secret : secretsOf(config)) {
            assertThat(PointedConnector.messagesOf(failure)).as("messages of the failure and its causes")
                    .noneMatch(message -> message.contains(secret));
        }
        return failure;
    }
}
