package dev.switchboard.core.connector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin whose code finds its own services through the thread context class loader
 * ({@code ServiceLoader.load(Greeter.class)} without a loader, as many libraries do) works when the hub calls it:
 * in its constructor, {@code open}, {@code check}, an action and a read of an artifact stream. It reports the version
 * its jar's manifest gives. The plugin is compiled
 * and jarred by the test, against the SPI only, as an outside author's would be.
 */
class PluginContextClassLoaderTest {

    private static final String NOT_FOUND = "no greeter: the context class loader does not see the plugin";

    /** The plugin: every call answers with what ServiceLoader finds through the context class loader. */
    private static final Map<String, String> SOURCES = Map.of(
            "tccl/Greeter.java", """
                    package tccl;
                    public interface Greeter { String greet(); }
                    """,
            "tccl/PluginGreeter.java", """
                    package tccl;
                    public class PluginGreeter implements Greeter {
                        public String greet() { return "hello from the plugin"; }
                    }
                    """,
            "tccl/TcclConnector.java", """
                    package tccl;
                    import dev.switchboard.spi.*;
                    import java.io.*;
                    import java.net.URI;
                    import java.time.Duration;
                    import java.util.*;
                    public class TcclConnector implements Connector {
                        final String atConstruction = greet();
                        static String greet() {
                            return ServiceLoader.load(Greeter.class).findFirst().map(Greeter::greet)
                                    .orElse("%s");
                        }
                        public String type() { return "tccl"; }
                        public String version() { return Connector.versionOf(getClass()); }
                        public List<OptionDefinition> options() { return List.of(); }
                        public Set<Capability> capabilities() {
                            return EnumSet.of(Capability.ACTION_TARGET, Capability.ARTIFACT_STORE);
                        }
                        public Fidelity fidelity() { return Fidelity.none(); }
                        public Connection open(ConnectionConfig config, ConnectorContext context) {
                            String atOpen = greet();
                            ActionTarget actions = new ActionTarget() {
                                public Set<String> actions() { return Set.of("greet"); }
                                public Result perform(Request request) {
                                    return new Result(null, Map.of("constructor", atConstruction, "open", atOpen,
                                            "perform", greet()));
                                }
                            };
                            ArtifactStore store = new ArtifactStore() {
                                public boolean serves(URI uri) { return true; }
                                public Optional<dev.switchboard.model.ArtifactRef> stat(URI uri) {
                                    return Optional.empty();
                                }
                                public InputStream open(URI uri) {
                                    return new InputStream() {
                                        byte[] bytes;
                                        int next;
                                        public int read() {
                                            if (bytes == null) { bytes = greet().getBytes(); }
                                            return next < bytes.length ? bytes[next++] & 0xff : -1;
                                        }
                                    };
                                }
                                public dev.switchboard.model.ArtifactRef write(URI uri, InputStream in, long size,
                                        dev.switchboard.model.Digest expected) {
                                    throw new UnsupportedOperationException();
                                }
                            };
                            return new Connection() {
                                public String name() { return config.name(); }
                                public CheckResult check(Duration timeout) {
                                    return CheckResult.ok(greet(), Duration.ZERO);
                                }
                                public Optional<ActionTarget> actionTarget() { return Optional.of(actions); }
                                public Optional<ArtifactStore> artifactStore() { return Optional.of(store); }
                            };
                        }
                    }
                    """.formatted(NOT_FOUND));

    @TempDir
    Path directory;

    private Path plugins;

    @BeforeEach
    void buildPlugin() throws Exception {
        Path sources = directory.resolve("src");
        Path classes = Files.createDirectories(directory.resolve("classes"));
        for (Map.Entry<String, String> source : SOURCES.entrySet()) {
            Files.createDirectories(sources.resolve(source.getKey()).getParent());
            Files.writeString(sources.resolve(source.getKey()), source.getValue());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = location(Connector.class) + File.pathSeparator + location(CanonicalEvent.class);
        List<String> arguments = Stream.concat(Stream.of("-d", classes.toString(), "-cp", classPath),
                SOURCES.keySet().stream().map(name -> sources.resolve(name).toString())).toList();
        assertThat(javac.run(null, null, null, arguments.toArray(String[]::new))).as("javac").isZero();

        plugins = directory.resolve("plugins");
        Path jar = Files.createDirectories(plugins.resolve("tccl")).resolve("tccl-plugin.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "3.1.4-tccl");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                entry(out, classes.relativize(file).toString().replace(File.separatorChar, '/'),
                        Files.readAllBytes(file));
            }
            entry(out, "META-INF/services/" + Connector.class.getName(), "tccl.TcclConnector\n"
                    .getBytes(StandardCharsets.UTF_8));
            entry(out, "META-INF/services/tccl.Greeter", "tccl.PluginGreeter\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyCallIntoAPluginRunsWithItsClassLoaderAsTheContextClassLoaderAndRestoresTheCallers() throws Exception {
        ClassLoader callers = Thread.currentThread().getContextClassLoader();
        try (ConnectorRegistry registry = ConnectorRegistry.discover(getClass().getClassLoader(), plugins)) {
            Connector connector = registry.find("tccl").orElseThrow();
            Connection connection = connector.open(new ConnectionConfig("greeter", "tccl", Map.of()),
                    ConnectorContext.standalone());

            assertThat(connection.check(Duration.ofSeconds(1)).message()).isEqualTo("hello from the plugin");
            ActionTarget.Result result = connection.actionTarget().orElseThrow()
                    .perform(new ActionTarget.Request("greet", Map.of(), null, "k"));
            assertThat(result.outputs()).containsEntry("constructor", "hello from the plugin")
                    .containsEntry("open", "hello from the plugin").containsEntry("perform", "hello from the plugin");
            try (InputStream in = connection.artifactStore().orElseThrow().open(URI.create("tccl:/a"))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello from the plugin");
            }
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(callers);
            // What the registry reports is still the plugin's own class, from the plugin's jar, with its version.
            assertThat(connector.version()).isEqualTo("3.1.4-tccl");
            assertThat(ConnectorOrigin.implementationOf(connector).getName()).isEqualTo("tccl.TcclConnector");
            assertThat(registry.origin("tccl").orElseThrow().plugin()).isEqualTo("tccl");
        }
    }

    @Test
    void calledWithoutTheHubsWrapperThePluginCannotFindItsOwnServices() {
        // The same plugin called directly, as the hub did before: the control that shows the test above can fail.
        try (ConnectorRegistry registry = ConnectorRegistry.discover(getClass().getClassLoader(), plugins)) {
            Connector unwrapped = registry.plugins().get(0).connectors().get(0);
            Connection connection = unwrapped.open(new ConnectionConfig("greeter", "tccl", Map.of()),
                    ConnectorContext.standalone());

            assertThat(connection.check(Duration.ofSeconds(1)).message()).isEqualTo(NOT_FOUND);
        }
    }

    private static void entry(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
