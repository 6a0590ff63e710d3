package dev.switchboard.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the reactor's build output is: the hub and the baselines run as child JVMs from their modules' target
 * folders (after {@code ./mvnw install -DskipTests}), never from the harness's own class path.
 */
final class Layout {

    final Path root;

    private Layout(Path root) {
        this.root = root;
    }

    /** The repository root: from {@code -Dswitchboard.root}, else found upwards from this class's location. */
    static Layout find() {
        String configured = System.getProperty("switchboard.root");
        if (configured != null) {
            return new Layout(Path.of(configured).toAbsolutePath().normalize());
        }
        try {
            Path here = Path.of(Layout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("hub-app")) && Files.isDirectory(p.resolve("benchmarks"))) {
                    return new Layout(p);
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new Layout(Path.of("").toAbsolutePath());
    }

    /** The hub: hub-app's classes and runtime class path; with {@code testConnectors}, hub-core's test jar too. */
    String hubClasspath(boolean testConnectors) {
        List<String> entries = new ArrayList<>();
        entries.add(require(root.resolve("hub-app/target/classes")).toString());
        entries.add(read(root.resolve("hub-app/target/classpath.txt")));
        if (testConnectors) {
            entries.add(hubCoreTests().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The B4 baseline app: its classes and its own (Spring Boot + Camel only) class path. */
    String baselineAppClasspath() {
        return require(root.resolve("benchmarks/baseline-app/target/classes")) + File.pathSeparator
                + read(root.resolve("benchmarks/baseline-app/target/classpath.txt"));
    }

    /** The harness's own classes (the bare B1 forwarder needs nothing else: JDK only). */
    String harnessClasses() {
        return require(root.resolve("benchmarks/target/classes")).toString();
    }

    /** The harness's classes and runtime class path (the durable B1 forwarder's JDBC drivers and pool). */
    String harnessClasspath() {
        return harnessClasses() + File.pathSeparator + read(root.resolve("benchmarks/target/classpath.txt"));
    }

    Path s3proxyJar() {
        return root.resolve("benchmarks/target/s3proxy/s3proxy.jar");
    }

    private Path hubCoreTests() {
        Path target = root.resolve("hub-core/target");
        try (Stream<Path> files = Files.list(require(target))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-tests.jar")).findFirst()
                    .orElseGet(() -> require(target.resolve("test-classes")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path require(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " is missing; build first: ./mvnw -B -DskipTests install");
        }
        return path;
    }

    private static String read(Path file) {
        try {
            return Files.readString(require(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
