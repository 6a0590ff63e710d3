package dev.switchboard.core.delivery;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DeliveryEngine.Settings;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.model.CanonicalEvent;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * One hub instance's delivery side for tests: store, outbox, dead letters and engines over the {@code scripted}
 * connections {@code alpha}, {@code beta} and {@code down}, and the {@code in-memory-registry} connection
 * {@code registry}.
 */
final class DeliveryFixture implements AutoCloseable {

    static final Settings FAST = new Settings(4, Duration.ofMillis(20), Duration.ofMillis(200), 4,
            Duration.ofSeconds(30), Duration.ofMillis(50));

    private final DataSource dataSource;
    final Store store;
    final Outbox outbox;
    final DeadLetters deadLetters;
    final ConnectionRegistry connections;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<DeliveryEngine> engines = new ArrayList<>();

    private final Clock clock;

    DeliveryFixture(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    /** A fixture whose store, outbox and engines read {@code clock}: leases run out only when a test moves it. */
    DeliveryFixture(DataSource dataSource, Clock clock) {
        this(dataSource, clock, Tracing.OFF);
    }

    /** A fixture whose store records spans and stores trace context through {@code tracing}. */
    DeliveryFixture(DataSource dataSource, Clock clock, Tracing tracing) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.store = Store.open(dataSource, clock, tracing);
        this.outbox = new Outbox(store, clock);
        this.deadLetters = new DeadLetters(store, outbox, clock);
        HubConfig config = new HubConfig(Map.of(
                "alpha", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of()),
                "beta", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of()),
                "down", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of()),
                "registry", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE, Map.of())), null, null);
        this.connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
    }

    /** A started engine with the default breaker and bulkhead configs. */
    DeliveryEngine startEngine(Settings settings) {
        return startEngine(settings, DeliveryEngine.defaultBreakerConfig());
    }

    /** A started engine whose per-connection breakers use {@code breakerConfig}. */
    DeliveryEngine startEngine(Settings settings, CircuitBreakerConfig breakerConfig) {
        return startEngine(settings, breakerConfig, InstanceId.newStart(null));
    }

    /** A started engine with the default configs that claims as {@code instance}. */
    DeliveryEngine startEngine(Settings settings, InstanceId instance) {
        return startEngine(settings, DeliveryEngine.defaultBreakerConfig(), instance);
    }

    private DeliveryEngine startEngine(Settings settings, CircuitBreakerConfig breakerConfig, InstanceId instance) {
        DeliveryEngine engine = new DeliveryEngine(store, outbox, connections, deadLetters, settings,
                CircuitBreakerRegistry.of(breakerConfig), BulkheadRegistry.of(DeliveryEngine.defaultBulkheadConfig(settings)),
                meters, clock, () -> 0.5, instance);
        engines.add(engine);
        engine.start();
        return engine;
    }

    /** Enqueues action {@code run} on {@code connection} for an event of subject {@code models/<model>/versions/1}. */
    Delivery enqueue(String connection, String eventId, String model) {
        return enqueue(connection, "run", eventId, model);
    }

    Delivery enqueue(String connection, String action, String eventId, String model) {
        return outbox.enqueue(call(connection, action, eventId, model));
    }

    /** The call {@link #enqueue(String, String, String)} stores, not stored. */
    ActionCall call(String connection, String eventId, String model) {
        return call(connection, "run", eventId, model);
    }

    private ActionCall call(String connection, String action, String eventId, String model) {
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", eventId, model, "1", "champion");
        return new ActionCall(connection, action, Map.of("workflow", "deploy.yml"), event, null, "promote",
                connection + "/" + eventId);
    }

    /**
     * Enqueues like {@link #enqueue(String, String, String)} inside a transaction of its own, as a route does: with
     * an engine running on H2 the delivery is handed to it when the transaction commits.
     */
    Delivery enqueueInTransaction(String connection, String eventId, String model) {
        return store.transactions().execute(status -> enqueue(connection, eventId, model));
    }

    Delivery.Status status(Delivery delivery) {
        return outbox.get(delivery.id()).orElseThrow().status();
    }

    double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        engines.forEach(DeliveryEngine::stop);
        connections.close();
        TestDatabases.close(dataSource);
    }
}
