package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.core.config.InvalidConfigurationException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A second hub on a data directory another hub holds stops at once with one line naming the directory. */
@ExtendWith(OutputCaptureExtension.class)
class DataDirLockTest {

    @TempDir
    Path directory;

    @Test
    void aDataDirectoryHeldByAnotherProcessStopsStartUpUntilItIsReleased(CapturedOutput output) throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DataDirLockHolder.class.getName(), data.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(said.readLine()).isEqualTo("locked");

            Throwable failure = catchThrowable(() -> HubRunner.start(directory, yaml(), null));

            assertHeld(failure, data);
            assertThat(output.getAll()).doesNotContain("org.h2.")
                    .contains("Stop the other hub, or start this one with another --switchboard.data-dir.")
                    .doesNotContain("Fix each problem above in switchboard.yaml");
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (ConfigurableApplicationContext hub = HubRunner.start(directory, yaml(), null)) {
            assertThat(hub.isActive()).isTrue();
        }
    }

    @Test
    void aSecondHubInThisJvmIsRefusedAndAStoppedHubReleasesTheDirectory() throws Exception {
        Path data = directory.resolve("data");
        try (ConfigurableApplicationContext first = HubRunner.start(directory, yaml(), null)) {
            Throwable failure = catchThrowable(() -> HubRunner.start(directory, yaml(), null));
            assertHeld(failure, data);
            // the refused start must not have dropped the first hub's lock
            Throwable again = catchThrowable(() -> HubRunner.start(directory, yaml(), null));
            assertHeld(again, data);
        }
        try (ConfigurableApplicationContext second = HubRunner.start(directory, yaml(), null)) {
            assertThat(second.isActive()).isTrue();
        }
    }

    @Test
    void aHubThatFailsToStartReleasesTheDirectory() throws Exception {
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), yaml());
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(SwitchboardApplication.class).run(
                    "--SWITCHBOARD_CONFIG=" + config,
                    "--server.address=127.0.0.1",
                    "--server.port=" + busy.getLocalPort(),
                    "--switchboard.data-dir=" + directory.resolve("data")));
            assertThat(failure).as("a hub on a port in use").isNotNull();
        }
        assertThat(Files.exists(directory.resolve("data").resolve(DataDirLock.FILE))).isTrue();
        DataDirLock.release(DataDirLock.acquire(directory.resolve("data")));
    }

    private static void assertHeld(Throwable failure, Path data) throws Exception {
        InvalidConfigurationException invalid = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationException found) {
                invalid = found;
            }
        }
        assertThat(invalid).as("start-up failure %s", failure).isNotNull();
        assertThat(invalid.getMessage())
                .contains("data-dir: the data directory " + data.toRealPath() + " is in use by another hub")
                .contains("stop the other hub or start this one with another --switchboard.data-dir");
    }

    private String yaml() {
        return """
                switchboard:
                  routes:
                    directory: %s
                  connections:
                    deploy:
                      type: recording
                      options:
                        url: http://127.0.0.1:9/deploy
                        token: not-a-real-token
                """.formatted(directory);
    }
}
