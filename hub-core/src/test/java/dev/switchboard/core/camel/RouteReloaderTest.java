package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DirectActionDispatcher;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route files swapped in a running Camel context: checked first, only changed files touched, ids keep their place. */
class RouteReloaderTest {

    private static final String ROUTE = """
            - route:
                id: %s
                from:
                  uri: switchboard:events
                  parameters:
                    type: model_version.alias_set
                  steps:
                    - to: switchboard:deploy/record?workflow=%s
            """;

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private DefaultCamelContext camel;
    private Path routes;
    private RouteReloader reloader;

    @BeforeEach
    void start() throws Exception {
        RecordingConnector.reset();
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of("deploy", new HubConfig.ConnectionSpec("recording",
                Map.of("url", "http://127.0.0.1:1"))), directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("a.camel.yaml"), ROUTE.formatted("a", "one.yml"));
        Files.writeString(routes.resolve("b.camel.yaml"), ROUTE.formatted("b", "one.yml"));
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new DirectActionDispatcher(connections)));
        reloader = new RouteReloader(camel, new RouteValidator(connections), routes, store.executions());
        assertThat(reloader.loadAll().added()).containsExactly("a", "b");
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        connections.close();
        TestDatabases.close(dataSource);
    }

    @Test
    void aChangedFileIsSwappedAloneAndItsRouteKeepsItsExecutions() throws Exception {
        StoredEvent before = append("r-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> calls("one.yml") == 2);
        Route untouched = camel.getRoute("b");

        Files.writeString(routes.resolve("a.camel.yaml"), ROUTE.formatted("a", "two.yml"));
        RouteReloader.Outcome outcome = reloader.reload();
        StoredEvent after = append("r-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> calls("two.yml") == 1 && calls("one.yml") == 3);

        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.replaced()).containsExactly("a");
        assertThat(outcome.added()).isEmpty();
        assertThat(camel.getRoute("b")).isSameAs(untouched);
        assertThat(store.executions().find("a", before.seq()).orElseThrow().runs()).isEqualTo(1);
        assertThat(store.executions().find("a", after.seq()).orElseThrow().status())
                .isEqualTo(RouteExecutions.Status.DONE);
        assertThat(reloader.reload().changed()).as("nothing changed since").isFalse();
    }

    @Test
    void aRemovedRouteIsUnsubscribedAndABrokenSetChangesNothing() throws Exception {
        Files.delete(routes.resolve("b.camel.yaml"));
        RouteReloader.Outcome removed = reloader.reload();
        StoredEvent event = append("r-3");
        Files.writeString(routes.resolve("c.camel.yaml"), ROUTE.formatted("c", "one.yml").replace("deploy/", "nowhere/"));
        RouteReloader.Outcome refused = reloader.reload();
        Files.delete(routes.resolve("c.camel.yaml"));
        Files.delete(routes.resolve("a.camel.yaml"));
        Files.delete(routes);
        RouteReloader.Outcome missing = reloader.reload();

        assertThat(removed.removed()).containsExactly("b");
        assertThat(camel.getRoute("b")).isNull();
        assertThat(store.executions().find("b", event.seq())).isEmpty();
        assertThat(store.executions().find("a", event.seq())).isPresent();
        assertThat(refused.applied()).isFalse();
        assertThat(refused.problems()).singleElement().asString().contains("nowhere");
        assertThat(camel.getRoute("c")).isNull();
        assertThat(missing.problems()).singleElement().asString().contains("does not exist");
        assertThat(camel.getRoute("a")).as("a vanished directory removes no route").isNotNull();
    }

    @Test
    void aPausedRouteLeavesItsExecutionsPendingUntilResumed() {
        assertThat(store.executions().setPaused("a", true)).isTrue();
        StoredEvent event = append("r-4");
        await().atMost(Duration.ofSeconds(30)).until(() -> store.executions().find("b", event.seq()).orElseThrow()
                .status() == RouteExecutions.Status.DONE);
        assertThat(store.executions().find("a", event.seq()).orElseThrow().status())
                .isEqualTo(RouteExecutions.Status.PENDING);
        assertThat(store.executions().pausedRoutes()).containsExactly("a");

        store.executions().setPaused("a", false);

        await().atMost(Duration.ofSeconds(30)).until(() -> store.executions().find("a", event.seq()).orElseThrow()
                .status() == RouteExecutions.Status.DONE);
        assertThat(store.executions().setPaused("no-such-route", true)).isFalse();
    }

    private StoredEvent append(String id) {
        return store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", id, "churn", "1", "champion"))).get(0);
    }

    private static long calls(String workflow) {
        return RecordingConnector.calls("deploy").stream()
                .filter(call -> workflow.equals(call.parameters().get("workflow"))).count();
    }
}
