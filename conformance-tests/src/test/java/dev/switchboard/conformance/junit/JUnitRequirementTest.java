package dev.switchboard.conformance.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.JUnitRequirement;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit needs JUnit 6 and says so: under JUnit 5's jars (copied to {@code target/junit5} by the build) the run
 * stops, as the platform opens its session, with the kit's message instead of a discovery error.
 */
class JUnitRequirementTest {

    /** What the child JVM runs: a discovery of a kit suite, as Surefire would start one. */
    public static void main(String[] args) {
        try {
            LauncherFactory.create().discover(LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass("dev.switchboard.conformance.ConfigSuite")).build());
            System.out.println("DISCOVERED");
        } catch (Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.out.println(t);
            }
        }
    }

    @Test
    void underJUnit5TheRunStopsWithTheKitsMessage() throws IOException, InterruptedException {
        Path junit5 = Path.of("target", "junit5");
        List<String> classPath;
        try (Stream<Path> jars = Files.list(junit5)) {
            classPath = Stream.concat(jars.map(Path::toString), Stream.of("target/classes", "target/test-classes"))
                    .toList();
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classPath), JUnitRequirementTest.class.getName())
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).doesNotContain("DISCOVERED")
                .contains("the Switchboard conformance kit needs JUnit Jupiter 6.x; found 5.x")
                .contains("junit-jupiter-api 5.14.1").contains("switchboard-bom");
    }

    @Test
    void underJUnit6NothingIsReported() {
        JUnitRequirement.check();
        assertThat(JUnitRequirement.REQUIRED_MAJOR).isEqualTo(6);
    }
}
