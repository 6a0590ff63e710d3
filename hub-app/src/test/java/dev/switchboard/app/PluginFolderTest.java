package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.app.cli.CliTest;
import dev.switchboard.core.connector.ConnectorDiscoveryException;
import dev.switchboard.core.connector.ConnectorOrigin;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.WebhookSignatures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example connector, built as a third-party plugin (its jar beside a Jackson 2 the hub does not have, in a folder
 * of its own; hub-app's pom copies them to {@code target/plugin-fixtures/example}), loaded by a real hub from its
 * plugins folder: a webhook to a connection of its type lands in the inbox, and the plugin sees its own Jackson.
 */
class PluginFolderTest {

    private static final Path FIXTURE = Path.of("target", "plugin-fixtures", "example");
    private static final String SECRET = "plugin-test-secret-5d1c";

    @TempDir
    Path directory;

    @Test
    void aPluginFromTheFolderReceivesWebhooksAndSeesItsOwnLibraryVersions() throws Exception {
        Path plugins = installExample(directory.resolve("plugins"), "example");
        try (ConfigurableApplicationContext hub = HubRunner.start(directory, config(plugins), null)) {
            byte[] body = "model=churn&version=3&alias=champion".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port(hub) + "/webhooks/example-1"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Example-Delivery", "delivery-42")
                    .header("X-Example-Signature", "sha256=" + HexFormat.of().formatHex(
                            WebhookSignatures.hmacSha256(SECRET, body)))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);

            // The ingress stored the event before it answered 2xx: it is in the inbox now.
            CanonicalEvent event = hub.getBean(Store.class).inbox()
                    .find(CanonicalEvent.sourceOf("example-1"), "delivery-42").orElseThrow().event();
            assertThat(event.type()).isEqualTo(EventType.MODEL_VERSION_ALIAS_SET);
            assertThat(event.data()).isInstanceOfSatisfying(AliasChange.class, change -> {
                assertThat(change.alias()).isEqualTo("champion");
                assertThat(change.version()).isEqualTo("3");
            });

            Connector connector = hub.getBean(ConnectorRegistry.class).find("example").orElseThrow();
            ClassLoader pluginLoader = ConnectorOrigin.implementationOf(connector).getClassLoader();
            assertThat(pluginLoader).isNotSameAs(getClass().getClassLoader());
            // The SPI and the model are the hub's own classes, or the hub could not call the plugin at all.
            assertThat(pluginLoader.loadClass(Connector.class.getName())).isSameAs(Connector.class);
            assertThat(pluginLoader.loadClass(CanonicalEvent.class.getName())).isSameAs(CanonicalEvent.class);
            // The plugin's Jackson 2 is its own (the runnable jar has no Jackson 2 databind: RunnableJarIT).
            Class<?> pluginMapper = pluginLoader.loadClass("com.fasterxml.jackson.databind.ObjectMapper");
            assertThat(pluginMapper.getProtectionDomain().getCodeSource().getLocation().getPath())
                    .endsWith("/plugins/example/jackson-databind-2.17.2.jar");
            assertThat(version(pluginLoader)).isEqualTo("2.17.2");
            // The hub's Jackson 3, Camel and Spring are invisible to it.
            for (String hidden : List.of("tools.jackson.databind.ObjectMapper", "org.apache.camel.CamelContext",
                    "org.springframework.context.ApplicationContext", "dev.switchboard.core.store.Store")) {
                assertThatThrownBy(() -> pluginLoader.loadClass(hidden)).as(hidden)
                        .isInstanceOf(ClassNotFoundException.class);
            }

            String token = Files.readString(directory.resolve("data").resolve("admin-token")).trim();
            HttpResponse<String> connections = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port(hub) + "/api/v1/connections"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(connections.statusCode()).isEqualTo(200);
            assertThat(connections.body()).contains("\"plugin\":\"example\"")
                    .contains("\"connectorJar\":\"connector-example-").doesNotContain(SECRET);
        }
    }

    @Test
    void validateSaysWhichPluginAConnectorTypeCameFrom() throws Exception {
        Path plugins = installExample(directory.resolve("plugins"), "example");
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), config(plugins));

        CliTest.Run run = CliTest.cli("validate", "--config", config.toString());

        assertThat(run.code()).as(run.out()).isZero();
        // The version is the plugin jar's own (its manifest's Implementation-Version), not a literal in the code.
        String jarVersion;
        try (Stream<Path> jars = Files.list(FIXTURE)) {
            jarVersion = jars.map(jar -> jar.getFileName().toString()).filter(n -> n.startsWith("connector-example-"))
                    .findFirst().orElseThrow().replaceFirst("^connector-example-(.+)\\.jar$", "$1");
        }
        assertThat(jarVersion).isNotBlank().isNotEqualTo(Connector.UNPACKAGED_VERSION);
        assertThat(run.out()).contains("example " + jarVersion + ": plugin example (" + plugins.resolve("example") + ")")
                .doesNotContain(SECRET);
    }

    @Test
    void aConnectorTypeProvidedByTwoPluginsStopsTheHubNamingBoth() throws Exception {
        Path plugins = installExample(directory.resolve("plugins"), "example");
        installExample(plugins, "example-copy");

        assertThatThrownBy(() -> ConnectorRegistry.discover(getClass().getClassLoader(), plugins))
                .isInstanceOfSatisfying(ConnectorDiscoveryException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(problem -> {
                            assertThat(problem.path()).isEqualTo("plugins.directory");
                            assertThat(problem.message()).contains("\"example\" is provided twice")
                                    .contains("plugin example (").contains("plugin example-copy (");
                        }));
        // And the hub refuses to start on it, listing the problem as it lists configuration problems.
        assertThatThrownBy(() -> HubRunner.start(directory, config(plugins), null))
                .hasStackTraceContaining("\"example\" is provided twice");
    }

    @Test
    void aPluginFolderWithoutAConnectorIsAProblemNamingIt() throws Exception {
        Path plugins = Files.createDirectories(directory.resolve("plugins"));
        Files.createDirectories(plugins.resolve("empty"));
        Path libraryOnly = Files.createDirectories(plugins.resolve("library-only"));
        Files.copy(FIXTURE.resolve("jackson-core-2.17.2.jar"), libraryOnly.resolve("jackson-core-2.17.2.jar"));

        assertThatThrownBy(() -> ConnectorRegistry.discover(getClass().getClassLoader(), plugins))
                .isInstanceOfSatisfying(ConnectorDiscoveryException.class, e -> assertThat(e.problems())
                        .extracting(problem -> problem.message()).containsExactly(
                                "plugin empty (" + plugins.resolve("empty") + ") holds no .jar files; put the "
                                        + "connector's jar and its libraries directly in the folder",
                                "plugin library-only (" + plugins.resolve("library-only") + ") declares no connector: "
                                        + "none of its jars has META-INF/services/dev.switchboard.spi.Connector"));
    }

    @Test
    void aMissingPluginsFolderHoldsNoPlugins() {
        try (ConnectorRegistry connectors = ConnectorRegistry.discover(getClass().getClassLoader(),
                directory.resolve("no-such-folder"))) {
            assertThat(connectors.plugins()).isEmpty();
            assertThat(connectors.types()).contains("mlflow").doesNotContain("example");
            assertThat(connectors.origin("mlflow").orElseThrow().builtIn()).isTrue();
        }
    }

    /** Copies the fixture (the example's jar and its libraries) into {@code plugins/name}. */
    private static Path installExample(Path plugins, String name) throws IOException {
        assertThat(FIXTURE).as("run through Maven: hub-app's pom copies the example plugin there").isDirectory();
        Path folder = Files.createDirectories(plugins.resolve(name));
        try (Stream<Path> jars = Files.list(FIXTURE)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, folder.resolve(jar.getFileName()));
            }
        }
        return plugins;
    }

    private static String config(Path plugins) {
        return """
                switchboard:
                  plugins:
                    directory: %s
                  connections:
                    example-1:
                      type: example
                      options:
                        webhook-secret: %s
                """.formatted(plugins, SECRET);
    }

    private static int port(ConfigurableApplicationContext hub) {
        return ((WebServerApplicationContext) hub).getWebServer().getPort();
    }

    /** The Jackson 2 databind version {@code loader} sees. */
    private static String version(ClassLoader loader) throws ReflectiveOperationException {
        Object version = loader.loadClass("com.fasterxml.jackson.databind.cfg.PackageVersion").getField("VERSION")
                .get(null);
        return version.toString();
    }
}
