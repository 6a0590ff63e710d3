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
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.PageRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route run whose store statement fails, on H2, where the failure is injected by a trigger on the outbox's insert:
 * a deadlock (40001), which H2 answers by rolling back the run's whole transaction, or an error that fails the
 * statement alone. Whatever the route does with the exception (nothing, or a {@code doTry} that swallows it), the
 * run must not commit as if its step had been enqueued: a transient failure runs the execution again, any other
 * one fails it with a dead letter.
 */
class RouteRunStoreFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** What the trigger throws, and how many more times. */
    static final AtomicReference<SQLException> FAILURE = new AtomicReference<>();
    static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private DeadLetters deadLetters;
    private ConnectionRegistry connections;
    private DeliveryEngine engine;
    private DefaultCamelContext camel;
    private ScriptedActionConnector.Script alpha;

    /** Fails the outbox's insert while failures are left, with the exception the test chose. */
    public static final class FailingInsert implements Trigger {
        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
            if (FAILURES_LEFT.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw FAILURE.get();
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        ScriptedActionConnector.reset();
        alpha = ScriptedActionConnector.script("alpha");
        FAILURES_LEFT.set(0);
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        store.jdbc().execute("CREATE TRIGGER fail_outbox_insert BEFORE INSERT ON outbox_delivery FOR EACH ROW CALL '"
                + FailingInsert.class.getName() + "'");
        Outbox outbox = new Outbox(store, Clock.systemUTC());
        deadLetters = new DeadLetters(store, outbox, Clock.systemUTC());
        connections = ConnectionRegistry.open(new HubConfig(Map.of(
                "alpha", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of())), null, null),
                ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC());
        engine = new DeliveryEngine(store, outbox, connections, deadLetters, new DeliveryEngine.Settings(2,
                Duration.ofMillis(20), Duration.ofMillis(100), 4, Duration.ofSeconds(30), Duration.ofMillis(50)),
                new SimpleMeterRegistry(), Clock.systemUTC());
        engine.start();
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME, new SwitchboardComponent(store,
                new OutboxActionDispatcher(outbox), InstanceId.newStart(null), Duration.ofSeconds(30)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("switchboard:events?source=plain&pollIntervalMs=50").routeId("plain")
                        .to("switchboard:alpha/run");
                // A route that goes on whatever its step throws, as a doTry/doCatch or a handled onException does.
                from("switchboard:events?source=guarded&pollIntervalMs=50").routeId("guarded")
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
    void aDeadlockInARunIsRunAgainNotFailed() {
        failNextInserts(1, deadlock());
        StoredEvent stored = append("plain", "e-1");

        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);
        awaitOutcome(stored, "plain", Outcome.DONE);
        assertThat(FAILURES_LEFT).as("the injected deadlock happened").hasValue(0);
        assertThat(alpha.calls().get(0).request().event().id()).isEqualTo("e-1");
        assertThat(deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items())
                .as("a deadlock is no failure of the route").isEmpty();
    }

    @Test
    void aDeadlockThatTheRouteSwallowsDoesNotCommitTheRunAsDone() {
        failNextInserts(1, deadlock());
        StoredEvent stored = append("guarded", "e-2");

        // Before: H2 had rolled the run back with the insert, the doCatch went on, and the run's end committed in a
        // transaction of its own: DONE, with the step's delivery never stored and the action never performed.
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);
        awaitOutcome(stored, "guarded", Outcome.DONE);
        assertThat(alpha.calls().get(0).request().event().id()).isEqualTo("e-2");
        assertThat(deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void anyOtherStoreFailureThatTheRouteSwallowsFailsTheExecutionVisiblyAndReplayCompletesIt() {
        failNextInserts(1, new SQLException("Value too long for column", "22001", 22001));
        StoredEvent stored = append("guarded", "e-3");

        // Before: the statement alone failed, the doCatch went on, and the run committed DONE without its delivery.
        awaitOutcome(stored, "guarded", Outcome.FAILED);
        DeadLetter deadLetter = deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items().get(0);
        assertThat(deadLetter.stage()).isEqualTo(DeadLetter.Stage.ROUTE);
        assertThat(deadLetter.routeId()).isEqualTo("guarded");
        assertThat(deadLetter.reason()).contains("Value too long");
        assertThat(alpha.calls()).isEmpty();

        assertThat(deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);
        awaitOutcome(stored, "guarded", Outcome.DONE);
    }

    private static SQLException deadlock() {
        return new SQLException("Deadlock detected. The current transaction was rolled back.", "40001", 40001);
    }

    private static void failNextInserts(int times, SQLException failure) {
        FAILURE.set(failure);
        FAILURES_LEFT.set(times);
    }

    private StoredEvent append(String source, String id) {
        return store.inbox().append(List.of(TestEvents.aliasSet(source, id, "churn", "1", "champion"))).get(0);
    }

    private void awaitOutcome(StoredEvent stored, String routeId, Outcome outcome) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(store.routeProgress().outcomes(stored.seq()))
                .filteredOn(entry -> entry.routeId().equals(routeId)).extracting(RouteProgress.Entry::outcome)
                .containsExactly(outcome));
    }
}
