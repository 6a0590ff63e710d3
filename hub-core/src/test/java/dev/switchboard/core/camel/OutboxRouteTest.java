package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.delivery.DeadLetterFilter;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.delivery.OutboxActionDispatcher;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.InjectedFailures;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.PageRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes through the outbox to a target, the replay of a route dead letter, and a run whose store statement fails,
 * in a plain Camel context on H2.
 */
class OutboxRouteTest {

    private static final String ROUTES = """
            - route:
                id: deliver
                from:
                  uri: switchboard:events
                  parameters:
                    source: mlflow-prod
                    pollIntervalMs: 100
                  steps:
                    - to: switchboard:alpha/run?workflow=deploy.yml
            """;

    @TempDir
    Path directory;

    private volatile boolean gateOpen;
    private DataSource dataSource;
    private Store store;
    private Outbox outbox;
    private DeadLetters deadLetters;
    private ConnectionRegistry connections;
    private DeliveryEngine engine;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        ScriptedActionConnector.reset();
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        outbox = new Outbox(store, Clock.systemUTC());
        deadLetters = new DeadLetters(store, outbox, Clock.systemUTC());
        connections = ConnectionRegistry.open(new HubConfig(Map.of("alpha",
                        new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of())), directory, null),
                ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC());
        engine = new DeliveryEngine(store, outbox, connections, deadLetters, new DeliveryEngine.Settings(3,
                Duration.ofMillis(20), Duration.ofMillis(100), 2, Duration.ofSeconds(30), Duration.ofMillis(50)),
                new SimpleMeterRegistry(), Clock.systemUTC());
        engine.start();

        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("flows.camel.yaml"), ROUTES);
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME, new SwitchboardComponent(store, new OutboxActionDispatcher(outbox)));
        RouteFiles.load(camel, routes);
        // A step that fails until the test opens the gate: Java code, which route files may not hold.
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("switchboard:events?source=mlflow-gated&pollIntervalMs=100").routeId("gated")
                        .process(exchange -> {
                            if (!gateOpen) {
                                throw new IllegalStateException("gate closed");
                            }
                        })
                        .to("switchboard:alpha/run");
                // Goes on whatever its step throws, as a doTry/doCatch or a handled onException does.
                from("switchboard:events?source=store-guarded&pollIntervalMs=50").routeId("guarded")
                        .doTry().to("switchboard:alpha/run").doCatch(Exception.class).end();
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        engine.stop();
        connections.close();
        TestDatabases.close(dataSource);
        ScriptedActionConnector.reset();
    }

    @Test
    void anEventReachesTheTargetThroughTheOutboxWithTheRoutesParameters() {
        StoredEvent stored = append("mlflow-prod", "e-1");

        await().atMost(Duration.ofSeconds(20)).until(() -> ScriptedActionConnector.script("alpha").calls().size() == 1);
        var request = ScriptedActionConnector.script("alpha").calls().get(0).request();
        assertThat(request.parameters()).containsEntry("workflow", "deploy.yml");
        assertThat(request.event()).isEqualTo(stored.event());
        assertThat(outbox.findByKey(request.idempotencyKey())).get()
                .satisfies(delivery -> assertThat(delivery.eventSeq()).isEqualTo(stored.seq()));
        awaitOutcome(stored, "deliver", Outcome.DONE);
    }

    @Test
    void replayingARouteDeadLetterRunsTheEventThroughTheRouteAgainOnce() {
        StoredEvent stored = append("mlflow-gated", "e-1");
        awaitOutcome(stored, "gated", Outcome.FAILED);
        DeadLetter deadLetter = deadLetters.list(DeadLetterFilter.all().withStage(DeadLetter.Stage.ROUTE),
                PageRequest.first(10)).items().get(0);
        assertThat(deadLetter.reason()).contains("gate closed");

        gateOpen = true;
        assertThat(deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);
        assertThat(deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.ALREADY_REPLAYED);

        awaitOutcome(stored, "gated", Outcome.DONE);
        await().atMost(Duration.ofSeconds(20)).until(() -> ScriptedActionConnector.script("alpha").calls().size() == 1);
        // The failed run and the replayed one, which reached the route's last step; its delivery finished it.
        assertThat(store.executions().find("gated", stored.seq()).orElseThrow().runs()).isEqualTo(2);
        assertThat(deadLetters.list(DeadLetterFilter.all().onlyOpen(true), PageRequest.first(10)).items()).isEmpty();
    }

    // A run whose store statement fails (injected by a trigger): a deadlock, which H2 answers by rolling back the
    // run's whole transaction, or an error that fails the statement alone. Whatever the route does with the
    // exception, the run must not commit as if its step had been enqueued. (A deadlock in a route that does not catch
    // it: RouteExecutionContractTest, on both stores.)

    @Test
    void aDeadlockThatTheRouteSwallowsDoesNotCommitTheRunAsDone() {
        InjectedFailures.failNextInserts(store, "outbox_delivery", 1, InjectedFailures.DEADLOCK, "Deadlock detected");
        StoredEvent stored = append("store-guarded", "e-2");

        // Before: H2 had rolled the run back with the insert, the doCatch went on, and the run's end committed in a
        // transaction of its own: DONE, with the step's delivery never stored and the action never performed.
        await().atMost(Duration.ofSeconds(20)).until(() -> ScriptedActionConnector.script("alpha").calls().size() == 1);
        assertThat(InjectedFailures.allRaised(store)).as("the deadlock happened").isTrue();
        assertThat(ScriptedActionConnector.script("alpha").calls().get(0).request().event().id()).isEqualTo("e-2");
        awaitOutcome(stored, "guarded", Outcome.DONE);
        assertThat(deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void anyOtherStoreFailureThatTheRouteSwallowsFailsTheExecutionVisiblyAndReplayCompletesIt() {
        InjectedFailures.failNextInserts(store, "outbox_delivery", 1, "22001", "Value too long for column");
        StoredEvent stored = append("store-guarded", "e-3");

        // Before: the statement alone failed, the doCatch went on, and the run committed DONE without its delivery.
        awaitOutcome(stored, "guarded", Outcome.FAILED);
        DeadLetter deadLetter = deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items().get(0);
        assertThat(deadLetter.stage()).isEqualTo(DeadLetter.Stage.ROUTE);
        assertThat(deadLetter.reason()).contains("Value too long");
        assertThat(ScriptedActionConnector.script("alpha").calls()).isEmpty();

        assertThat(deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);
        await().atMost(Duration.ofSeconds(20)).until(() -> ScriptedActionConnector.script("alpha").calls().size() == 1);
        awaitOutcome(stored, "guarded", Outcome.DONE);
    }

    private StoredEvent append(String source, String id) {
        return store.inbox().append(List.of(TestEvents.aliasSet(source, id, "churn", "3", "champion"))).get(0);
    }

    private void awaitOutcome(StoredEvent stored, String routeId, Outcome outcome) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .contains(org.assertj.core.groups.Tuple.tuple(routeId, outcome)));
    }
}
