package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.core.config.InvalidConfigurationException;
import dev.switchboard.spi.ConfigProblem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A broken switchboard.yaml stops start-up with every problem listed, each with its path, and no secret shown. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidConfigurationTest {

    private static final String SECRET = "tok-3f9a7c1e-do-not-print";

    @TempDir
    Path directory;

    @Test
    void aBrokenConfigurationFailsStartUpListingEveryProblemWithoutSecrets(CapturedOutput output) {
        String yaml = """
                switchboard:
                  routes:
                    directory: %s
                  connections:
                    typo:
                      type: mlfow
                    no-url:
                      type: recording
                      options:
                        token: %s
                    bad-url:
                      type: recording
                      options:
                        url: mlflow:5000
                        token: %s
                        timeout: soon
                    missing-env:
                      type: recording
                      options:
                        url: ${SWITCHBOARD_TEST_UNSET_URL}
                """.formatted(directory.resolve("no-such-routes"), SECRET, SECRET);

        Throwable failure = catchThrowable(() -> HubRunner.start(directory, yaml, null));

        InvalidConfigurationException invalid = findCause(failure);
        assertThat(invalid.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "connections.bad-url.options.url",
                "connections.bad-url.options.timeout",
                "connections.missing-env.options.url",
                "connections.no-url.options.url",
                "connections.typo.type",
                "routes.directory");
        assertThat(invalid.getMessage())
                .contains("switchboard.yaml has 6 problems")
                .contains("connections.bad-url.options.url: must be an absolute http(s) URL, was \"mlflow:5000\"")
                .contains("connections.typo.type: unknown connector type \"mlfow\"; known types:")
                .contains("connections.missing-env.options.url: refers to ${SWITCHBOARD_TEST_UNSET_URL}, which is not set")
                .contains("routes.directory: does not exist");
        assertThat(output.getAll()).contains("connections.no-url.options.url: is required");
        assertThat(output.getAll()).doesNotContain(SECRET);
        assertThat(invalid.getMessage()).doesNotContain(SECRET);
    }

    private static InvalidConfigurationException findCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("start-up did not fail with an InvalidConfigurationException", failure);
    }
}
