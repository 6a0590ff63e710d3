package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The runnable {@code switchboard.jar} as users get it (repackaged in {@code package}, so this runs in failsafe's
 * phase): its sandbox brings the kit's fakes, and nothing of a test framework comes with them. The
 * {@code no-test-frameworks} enforcer execution checks the same on the dependency tree; this checks the jar.
 */
class RunnableJarIT {

    private static final Path JAR = Path.of("target", "switchboard.jar");

    @Test
    void theRunnableJarCarriesTheSandboxsFakesButNoTestFrameworkAndOneJackson() throws IOException {
        assertThat(JAR).as("built by the package phase").exists();
        List<String> libraries;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            libraries = Collections.list(jar.entries()).stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("BOOT-INF/lib/")).map(name -> name.substring(13)).toList();
        }

        assertThat(libraries).as("the sandbox's stand-ins and the fakes they run")
                .anyMatch(name -> name.startsWith("sandbox-"))
                .anyMatch(name -> name.startsWith("conformance-fakes-"));
        assertThat(libraries).as("no JUnit, AssertJ, opentest4j or kit suites in BOOT-INF/lib")
                .noneMatch(name -> name.startsWith("junit-") || name.startsWith("assertj-")
                        || name.startsWith("opentest4j-") || name.startsWith("conformance-tests-"));
        assertThat(libraries).as("one Jackson major: Jackson 3's databind, no Jackson 2 databind or core")
                .anyMatch(name -> name.startsWith("jackson-databind-3."))
                .noneMatch(name -> name.startsWith("jackson-databind-2.") || name.startsWith("jackson-core-2."));
        assertThat(Files.size(JAR)).isPositive();
    }
}
