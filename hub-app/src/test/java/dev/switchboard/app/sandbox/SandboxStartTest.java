package dev.switchboard.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.app.SwitchboardApplication;
import dev.switchboard.core.config.HubConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The sandbox starts its tools on a thread of its own (the hub builds its context meanwhile) and the hub waits for
 * them before it listens: {@link Sandbox#awaitStarted} returns once every tool accepts connections, and rethrows why
 * one could not start, which stops the hub's start-up. (That a started hub has its sandbox up is
 * {@code DemoScenarioTest}'s premise: it runs the demo as soon as the context is up.)
 */
class SandboxStartTest {

    private static final HubConfig CONFIG = new HubConfig(Map.of(), Path.of("."), null);

    @Test
    void connectionsLeftOnTheOldPortsAfterTheBasePortMovedAreNamed() {
        Map<String, HubConfig.ConnectionSpec> connections = Map.of(
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", "http://127.0.0.1:18080")),
                "s3-models", new HubConfig.ConnectionSpec("s3", Map.of("endpoint-override", "http://127.0.0.1:19082",
                        "bucket-prefix", "s3://models")),
                "remote", new HubConfig.ConnectionSpec("github", Map.of("api-url", "https://api.github.com")));

        assertThat(Sandbox.portDisagreements(19080, connections)).singleElement().asString()
                .contains("connections.mlflow-prod.options.tracking-url points at http://127.0.0.1:18080")
                .contains("listens on port 19080");
        assertThat(Sandbox.portDisagreements(18080, Map.of("mlflow-prod", connections.get("mlflow-prod")))).isEmpty();
    }

    @Test
    void aSandboxStartedInTheBackgroundListensOnAllFourPortsOnceAwaited() throws IOException {
        int base = FreePorts.range(4);
        Sandbox sandbox = new Sandbox(properties(base), CONFIG);
        try {
            sandbox.startInBackground();
            sandbox.startInBackground(); // idempotent

            sandbox.awaitStarted(Duration.ofSeconds(90));

            assertThat(sandbox.isStarted()).isTrue();
            for (int port = base; port < base + 4; port++) {
                assertThat(listens(port)).as("port %d", port).isTrue();
            }
        } finally {
            sandbox.stop();
        }
    }

    @Test
    void aToolThatCannotStartFailsTheWaitWithThePortsAndLeavesNothingRunning() throws IOException {
        int base = FreePorts.range(4);
        try (ServerSocket taken = new ServerSocket(base + 3, 0, InetAddress.getLoopbackAddress())) {
            Sandbox sandbox = new Sandbox(properties(base), CONFIG);
            sandbox.startInBackground();

            assertThatThrownBy(() -> sandbox.awaitStarted(Duration.ofSeconds(90)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot start the sandbox on ports " + base + "-" + (base + 3));
            assertThat(sandbox.isStarted()).isFalse();
            assertThat(listens(base)).as("MLflow, started before the failure, is stopped again").isFalse();
        }
    }

    @Test
    void theHubDoesNotStartWhenASandboxToolCannot(@TempDir Path directory) throws IOException {
        int base = FreePorts.range(4);
        try (ServerSocket taken = new ServerSocket(base + 2, 0, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> new SpringApplicationBuilder(SwitchboardApplication.class).run(
                    "--SWITCHBOARD_CONFIG=" + directory.resolve("none.yaml"),
                    "--server.port=0",
                    "--switchboard.data-dir=" + directory.resolve("data"),
                    "--switchboard.sandbox.enabled=true",
                    "--switchboard.sandbox.base-port=" + base).close())
                    .hasStackTraceContaining("cannot start the sandbox on ports " + base + "-" + (base + 3));
            assertThat(listens(base)).as("the sandbox's MLflow is stopped with the failed hub").isFalse();
        }
    }

    @Test
    void waitingForASandboxThatWasNeverStartedFails() {
        Sandbox sandbox = new Sandbox(properties(18080), CONFIG);

        assertThatThrownBy(() -> sandbox.awaitStarted(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
    }

    private static SandboxProperties properties(int base) {
        SandboxProperties properties = new SandboxProperties();
        properties.setEnabled(true);
        properties.setBasePort(base);
        properties.setS3proxyJar(Path.of("target/s3proxy/s3proxy.jar"));
        return properties;
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
