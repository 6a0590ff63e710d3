package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.core.trace.Tracing;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real application, started with a switchboard.yaml naming one test connection and one route file: an event put
 * into the inbox makes the route invoke the connector's operation. Subclasses choose the database.
 */
abstract class HubApplicationTest {

    private static final String ROUTE = """
            - route:
                id: promote-champion
                from:
                  uri: switchboard:events
                  parameters:
                    type: model_version.alias_set
                  steps:
                    - filter:
                        simple: "${body.data.alias} == 'champion'"
                        steps:
                          - to: switchboard:deploy/record?workflow=deploy.yml
            """;

    @TempDir
    Path directory;

    protected ConfigurableApplicationContext hub;

    /** The JDBC URL to run on, or null for the embedded H2 default. */
    protected abstract String jdbcUrl();

    @BeforeEach
    void startHub() throws Exception {
        RecordingConnector.reset();
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("promote.camel.yaml"), ROUTE);
        hub = HubRunner.start(directory, """
                switchboard:
                  routes:
                    directory: %s
                  connections:
                    deploy:
                      type: recording
                      options:
                        url: http://127.0.0.1:9/deploy
                        token: ${DEPLOY_TOKEN:not-a-real-token}
                """.formatted(routes), jdbcUrl());
    }

    @AfterEach
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void anEventInTheInboxMakesTheRouteInvokeTheConnector() {
        Store store = hub.getBean(Store.class);
        StoredEvent stored = store.inbox().append(
                List.of(TestEvents.aliasSet("mlflow-prod", "delivery-1", "churn", "3", "champion"))).get(0);

        await().atMost(Duration.ofSeconds(15)).until(() -> !RecordingConnector.calls("deploy").isEmpty());
        assertThat(RecordingConnector.calls("deploy")).singleElement().satisfies(request -> {
            assertThat(request.action()).isEqualTo("record");
            assertThat(request.parameters()).containsEntry("workflow", "deploy.yml");
            assertThat(request.event()).isEqualTo(stored.event());
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> store.routeProgress().outcomes(stored.seq()).stream()
                .anyMatch(entry -> entry.outcome() == RouteProgress.Outcome.DONE));
    }

    @Test
    void healthIsUp() throws Exception {
        assertThat(HubRunner.get(hub, "/actuator/health")).startsWith("200").contains("\"UP\"");
    }

    /** Traces are off without an OTLP endpoint: no span is started, not even for an HTTP request. */
    @Test
    void withoutAnOtlpEndpointNoSpanIsStarted() {
        assertThat(hub.getBean(Tracing.class).on()).isFalse();
        assertThat(hub.getBean(Propagator.class)).isSameAs(Propagator.NOOP);
    }
}
