package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#check}, the live probe: the tool the test configured is reachable, so the check is OK; a tool
 * that refuses the credentials (401, 403) fails the check with a message that blames the credentials, a
 * configuration problem the user must fix; a tool that is not there, or never answers, fails it as unavailable,
 * without blaming the credentials, within the timeout. A check never throws and never quotes a secret.
 *
 * <p>{@link CheckResult} carries {@code ok} and a message, nothing more; so a configuration problem and an
 * unavailable tool are told apart by what the message says ({@link #CREDENTIALS}).
 */
public interface CheckSuite extends PointedConnector {

    /**
     * What a message that blames the credentials mentions (any case). The status codes count as whole numbers only:
     * a message naming the tool's address must not read as a 401 because its port is 39401.
     */
    Pattern CREDENTIALS = Pattern.compile(
            "(?i).*(credential|unauthori[sz]ed|forbidden|denied|token|password|secret|signature|auth|\\b40[13]\\b).*",
            Pattern.DOTALL);

    /** The timeout the suite gives each check. */
    default Duration checkTimeout() {
        return Duration.ofSeconds(5);
    }

    @Test
    default void checkOfTheReachableToolIsOk() {
        CheckResult result = connection().check(checkTimeout());
        assertThat(result.ok()).as("check of the configured tool: %s", result.message()).isTrue();
        assertThat(result.message()).isNotBlank();
    }

    @Test
    default void checkWithRefusedCredentialsFailsAsAConfigurationProblem() {
        for (int status : new int[] {401, 403}) {
            CheckResult result = check(FaultServer.answer(FaultServer.status(status,
                    "{\"message\":\"bad credentials\"}")), checkTimeout());
            assertThat(result.ok()).as("%d from the tool", status).isFalse();
            assertThat(result.message()).as("%d must be reported as a credentials problem", status)
                    .matches(CREDENTIALS);
        }
    }

    @Test
    default void checkOfAToolThatIsNotThereFailsAsUnavailable() {
        CheckResult result = check(FaultServer.nothingListening(), checkTimeout());
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).as("an unreachable tool is not a credentials problem").isNotBlank()
                .doesNotMatch(CREDENTIALS);
    }

    @Test
    default void checkOfAToolThatNeverAnswersFailsWithinItsTimeout() {
        CheckResult result = check(FaultServer.answer(FaultServer.slow(Duration.ofSeconds(8))), Duration.ofSeconds(1));
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).doesNotMatch(CREDENTIALS);
    }

    /**
     * Checks a connection to {@code url}, asserting it returns within {@code timeout} (and a margin for a loaded
     * machine), does not throw and quotes no secret.
     */
    private CheckResult check(URI url, Duration timeout) {
        ConnectionConfig config = configPointingAt(url);
        CheckResult result;
        try (Connection connection = connector().open(config, ConnectorContext.standalone())) {
            long start = System.nanoTime();
            result = connection.check(timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("check(%s), which said: %s", timeout, result == null ? null : result.message())
                    .isLessThan(timeout.plusSeconds(4));
        }
        assertThat(result).as("check returns a result, never null").isNotNull();
        for (String secret : secretsOf(config)) {
            assertThat(result.message()).as("check messages never quote a secret").doesNotContain(secret);
        }
        return result;
    }
}
