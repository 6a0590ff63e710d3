package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.ActionCall;
import dev.switchboard.core.delivery.Attempt;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.delivery.DeadLetterFilter;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.core.delivery.Delivery;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.delivery.OutboxActionDispatcher;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.InjectedFailures;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.PageRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable route executions, run against each store engine by a subclass: a route's action steps run one after the
 * other through the outbox, a later step sees the earlier one's result, a step that fails permanently stops the
 * execution there and replay resumes it there, every committed append is routed however late it commits, and
 * several instances on one database run each execution once, taking a dead one's over after its lease.
 */
abstract class RouteExecutionContractTest {

    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Runs per instance name and event id, of the route {@code count}. */
    static final Map<String, Map<String, AtomicInteger>> RUNS = new ConcurrentHashMap<>();
    /** What the {@code steps} route saw of its second step's result, per event id. */
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    protected abstract DataSource createDataSource();

    /** Another pool on the same database, as a second instance opens it. */
    protected abstract DataSource sameDatabase(DataSource first);

    private DataSource dataSource;
    private final List<Hub> hubs = new ArrayList<>();
    private final List<DataSource> extraPools = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private Hub hub;

    @BeforeEach
    void start() {
        ScriptedActionConnector.reset();
        RUNS.clear();
        SEEN.clear();
        dataSource = createDataSource();
    }

    @AfterEach
    void stop() {
        hubs.forEach(Hub::close);
        extraPools.forEach(TestDatabases::close);
        TestDatabases.close(dataSource);
        ScriptedActionConnector.reset();
    }

    /** One hub instance: its own store (pool) on the shared database, delivery engine and Camel context. */
    final class Hub implements AutoCloseable {

        final String name;
        final Store store;
        final Outbox outbox;
        final DeadLetters deadLetters;
        final ConnectionRegistry connections;
        final DeliveryEngine engine;
        final DefaultCamelContext camel;

        Hub(String name, DataSource pool, InstanceId instance) throws Exception {
            this(name, pool, instance, true);
        }

        /** With {@code deliver} false, the hub runs routes but performs no delivery (its engine is not started). */
        Hub(String name, DataSource pool, InstanceId instance, boolean deliver) throws Exception {
            this(name, pool, instance, deliver, deliver);
        }

        /**
         * With {@code firstAttemptsInRuns} false, every step is enqueued for the engine (none is made at once by
         * the run: {@link DeliveryEngine#performNow}).
         */
        Hub(String name, DataSource pool, InstanceId instance, boolean deliver, boolean firstAttemptsInRuns)
                throws Exception {
            this.name = name;
            store = Store.open(pool, clock);
            outbox = new Outbox(store, Clock.systemUTC());
            deadLetters = new DeadLetters(store, outbox, Clock.systemUTC());
            connections = ConnectionRegistry.open(new HubConfig(Map.of(
                    "alpha", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of()),
                    "beta", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of()),
                    "gamma", new HubConfig.ConnectionSpec(ScriptedActionConnector.TYPE, Map.of())), null, null),
                    ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC());
            engine = new DeliveryEngine(store, outbox, connections, deadLetters, new DeliveryEngine.Settings(2,
                    Duration.ofMillis(20), Duration.ofMillis(100), 4, LEASE, Duration.ofMillis(50)),
                    new SimpleMeterRegistry(), Clock.systemUTC(), instance);
            if (deliver) {
                engine.start();
            }
            camel = new DefaultCamelContext();
            camel.addComponent(SwitchboardComponent.SCHEME,
                    new SwitchboardComponent(store, new OutboxActionDispatcher(outbox,
                            firstAttemptsInRuns ? engine : null),
                            instance, LEASE));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("switchboard:events?source=mlflow-prod&pollIntervalMs=50").routeId("steps")
                            .to("switchboard:alpha/run?n=1")
                            .to("switchboard:beta/run?previous=${variable.result[call]}")
                            .process(exchange -> SEEN.put(exchange.getIn().getHeader(SwitchboardHeaders.EVENT_ID,
                                    String.class), exchange.getIn().getHeader(SwitchboardHeaders.ACTION_OUTPUT + "call",
                                    String.class)))
                            .to("switchboard:gamma/run?previous=${variable.result[call]}");
                    from("switchboard:events?source=mlflow-single&pollIntervalMs=50").routeId("single")
                            .to("switchboard:alpha/run");
                    from("switchboard:events?source=mlflow-tail&pollIntervalMs=50").routeId("tail")
                            .to("switchboard:alpha/run")
                            .setHeader("after", constant("the step"));
                    from("switchboard:events?source=mlflow-count&pollIntervalMs=50&concurrency=4").routeId("count")
                            .process(exchange -> RUNS.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                                    .computeIfAbsent(exchange.getIn().getHeader(SwitchboardHeaders.EVENT_ID,
                                            String.class), id -> new AtomicInteger()).incrementAndGet());
                }
            });
            camel.start();
            hubs.add(this);
        }

        @Override
        public void close() {
            camel.stop();
            engine.stop();
            connections.close();
        }
    }

    private Hub hub() throws Exception {
        if (hub == null) {
            hub = new Hub("one", dataSource, InstanceId.newStart(null));
        }
        return hub;
    }

    /** A store on its own pool, as a tool or a crashed instance would have used, for what a test sets up. */
    private Store bareStore() {
        return Store.open(pool(), clock);
    }

    /** Another pool on the test's database, closed after the test. */
    private DataSource pool() {
        DataSource pool = sameDatabase(dataSource);
        extraPools.add(pool);
        return pool;
    }

    @Test
    void stepsRunInOrderAndALaterStepSeesTheEarlierStepsResult() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").failTransiently(1).hang();
        ScriptedActionConnector.Script beta = ScriptedActionConnector.script("beta");
        ScriptedActionConnector.Script gamma = ScriptedActionConnector.script("gamma");
        StoredEvent stored = append(hub().store, "mlflow-prod", "e-1", "churn");

        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);
        // The run makes step 1's first attempt itself; the attempt hangs, then fails, and the engine retries it.
        assertThat(hub.store.executions().find("steps", stored.seq()).orElseThrow().status())
                .isEqualTo(RouteExecutions.Status.RUNNING);
        assertThat(beta.calls()).as("step 2 waits for step 1").isEmpty();
        alpha.release();

        awaitOutcome(hub.store, stored, "steps", Outcome.DONE, null);
        assertThat(alpha.calls()).hasSize(2); // a transient failure, retried by the delivery engine
        assertThat(beta.calls()).singleElement().satisfies(call ->
                assertThat(call.request().parameters()).containsEntry("previous", "2"));
        assertThat(SEEN).containsEntry("e-1", "1");
        assertThat(gamma.calls()).singleElement().satisfies(call ->
                assertThat(call.request().parameters()).containsEntry("previous", "1"));
        Delivery copy = hub.outbox.findByKey(alpha.calls().get(0).request().idempotencyKey()).orElseThrow();
        Attempt delivered = hub.outbox.attempts(copy.id()).get(1);
        assertThat(delivered.outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
        assertThat(beta.calls().get(0).at()).as("step 2 started after step 1 was delivered")
                .isAfterOrEqualTo(delivered.finishedAt());
        assertThat(hub.outbox.attempts(hub.outbox.findByKey(beta.calls().get(0).request().idempotencyKey())
                .orElseThrow().id())).as("step 2 made at once by the run that resumed").singleElement()
                .extracting(Attempt::outcome).isEqualTo(Attempt.Outcome.DELIVERED);
        assertThat(hub.store.executions().find("steps", stored.seq()).orElseThrow().runs())
                .as("a run to step 1, whose first attempt failed, and one from its delivery to the end").isEqualTo(2);
    }

    @Test
    void aStepsFirstAttemptIsMadeByTheRunAndStoredWithItsEndWithoutAClaim() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        StoredEvent stored = append(hub().store, "mlflow-single", "e-1", "churn");

        awaitOutcome(hub.store, stored, "single", Outcome.DONE, null);
        Delivery delivery = hub.outbox.findByKey(alpha.calls().get(0).request().idempotencyKey()).orElseThrow();
        assertThat(delivery.status()).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(delivery.claimToken()).as("never claimed by an engine").isNull();
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(hub.outbox.attempts(delivery.id())).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
            assertThat(attempt.finishedAt()).isAfterOrEqualTo(attempt.startedAt());
        });
        assertThat(hub.store.executions().find("single", stored.seq()).orElseThrow().runs()).isEqualTo(1);
    }

    @Test
    void aStepQueuesBehindAnUnfinishedDeliveryOfItsSubjectToTheSameConnection() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").hang();
        CanonicalEvent earlier = event("elsewhere", "e-0", "churn");
        Delivery first = hub().outbox.enqueue(new ActionCall("alpha", "run", Map.of(), earlier, null, "other", "k-0"));
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);

        StoredEvent stored = append(hub.store, "mlflow-single", "e-1", "churn");
        awaitOutcome(hub.store, stored, "single", Outcome.WAITING, 1);
        assertThat(alpha.calls()).as("not attempted beside the earlier one").hasSize(1);
        alpha.release();

        awaitOutcome(hub.store, stored, "single", Outcome.DONE, null);
        assertThat(alpha.calls()).extracting(call -> call.request().idempotencyKey()).first().isEqualTo("k-0");
        assertThat(hub.outbox.get(first.id()).orElseThrow().status()).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(alpha.calls()).hasSize(2);
    }

    @Test
    void aToolThatStopsAnsweringHoldsAtMostHalfOfItsBulkheadOnRouteWorkers() throws Exception {
        // The engine's 4 workers give each connection a bulkhead of 2: one step at once in a run, then enqueued.
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").hang();
        List<StoredEvent> stored = new ArrayList<>();
        for (String model : List.of("churn", "fraud", "upsell")) {
            stored.add(append(hub().store, "mlflow-single", "e-" + model, model));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(stored).filteredOn(event -> hub.store.executions()
                .find("single", event.seq()).orElseThrow().status() == RouteExecutions.Status.WAITING).hasSize(2));
        await().atMost(WAIT).until(() -> alpha.calls().size() == 2); // one by a run, one by the engine
        assertThat(hub.outbox.countByStatus().get(Delivery.Status.PENDING)
                + hub.outbox.countByStatus().get(Delivery.Status.IN_FLIGHT)).isEqualTo(2);
        alpha.release();

        for (StoredEvent event : stored) {
            awaitOutcome(hub.store, event, "single", Outcome.DONE, null);
        }
        assertThat(alpha.calls()).hasSize(3);
    }

    @Test
    void anExecutionWaitingAtItsRoutesLastStepIsDoneWhenTheStepIsDeliveredWithoutAnotherRun() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        InstanceId instance = InstanceId.newStart(null);
        Hub one = new Hub("one", dataSource, instance, true, false);
        StoredEvent last = append(one.store, "mlflow-single", "last", "churn");
        StoredEvent notLast = append(one.store, "mlflow-tail", "not-last", "churn");

        awaitOutcome(one.store, last, "single", Outcome.DONE, null);
        awaitOutcome(one.store, notLast, "tail", Outcome.DONE, null);
        RouteExecutions.Execution done = one.store.executions().find("single", last.seq()).orElseThrow();
        assertThat(done.runs()).as("the run that reached the step; its delivery finished the execution").isEqualTo(1);
        assertThat(done.ranBy()).isEqualTo(instance.holder());
        assertThat(one.store.executions().find("tail", notLast.seq()).orElseThrow().runs())
                .as("a step after the action runs after the delivery").isEqualTo(2);
        assertThat(alpha.calls()).extracting(call -> call.request().event().id())
                .containsExactlyInAnyOrder("last", "not-last");
    }

    @Test
    void aCrashBetweenTheLastStepsDeliveryAndItsCommitStillFinishesTheExecutionOnce() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        InstanceId crashed = InstanceId.newStart("node-c");
        Hub dying = new Hub("dying", pool(), crashed, false);
        StoredEvent stored = append(dying.store, "mlflow-single", "e-1", "churn");
        awaitOutcome(dying.store, stored, "single", Outcome.WAITING, 1);
        // The dying instance's engine took the delivery and performed it; the instance died before the delivery's
        // outcome (and with it the execution's) was committed.
        List<Delivery> held = dying.outbox.claimDue(1, LEASE, crashed);
        assertThat(held).singleElement().satisfies(delivery -> assertThat(delivery.status())
                .isEqualTo(Delivery.Status.IN_FLIGHT));
        dying.close();

        Hub restarted = new Hub("restarted", pool(), InstanceId.newStart("node-c"));
        awaitOutcome(restarted.store, stored, "single", Outcome.DONE, null);
        assertThat(restarted.outbox.get(held.get(0).id()).orElseThrow().status()).isEqualTo(Delivery.Status.DELIVERED);
        RouteExecutions.Execution done = restarted.store.executions().find("single", stored.seq()).orElseThrow();
        assertThat(done.runs()).as("the route ran once, on the instance that died").isEqualTo(1);
        assertThat(done.ranBy()).isEqualTo(crashed.holder());
        assertThat(alpha.calls()).as("performed once by the restarted instance's engine").hasSize(1);
    }

    @Test
    void aStepThatFailsPermanentlyStopsTheExecutionThereAndReplayResumesThereWithoutRedoingEarlierSteps()
            throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        ScriptedActionConnector.Script beta = ScriptedActionConnector.script("beta").failPermanently();
        ScriptedActionConnector.Script gamma = ScriptedActionConnector.script("gamma");
        StoredEvent stored = append(hub().store, "mlflow-prod", "e-1", "churn");

        awaitOutcome(hub.store, stored, "steps", Outcome.DEAD, 2);
        DeadLetter deadLetter = hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items().get(0);
        assertThat(deadLetter.stage()).isEqualTo(DeadLetter.Stage.DELIVERY);
        assertThat(deadLetter.routeId()).isEqualTo("steps");
        assertThat(deadLetter.reason()).startsWith("route steps step 2 (switchboard:beta/run): ")
                .contains("unknown workflow");
        assertThat(hub.store.routeProgress().outcomes(stored.seq()).get(0).detail()).isEqualTo(deadLetter.reason());
        assertThat(gamma.calls()).as("steps after the failed one").isEmpty();
        assertThat(alpha.calls()).hasSize(1);

        beta.succeed();
        assertThat(hub.deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);

        awaitOutcome(hub.store, stored, "steps", Outcome.DONE, null);
        assertThat(alpha.calls()).as("step 1 is not redone").hasSize(1);
        assertThat(beta.calls()).as("step 2: the failed call and the replayed one").hasSize(2);
        assertThat(gamma.calls()).hasSize(1);
        assertThat(hub.deadLetters.list(DeadLetterFilter.all().onlyOpen(true), PageRequest.first(10)).items()).isEmpty();
    }

    /** An event of the one-step route, appended while the next {@code times} deliveries' inserts deadlock. */
    private StoredEvent routedThroughDeadlocks(int times) throws Exception {
        InjectedFailures.failNextInserts(hub().store, "outbox_delivery", times, InjectedFailures.DEADLOCK,
                "deadlock injected at the step's enqueue");
        StoredEvent stored = append(hub.store, "mlflow-single", "e-1", "churn");
        awaitOutcome(hub.store, stored, "single", Outcome.DONE, null);
        assertThat(InjectedFailures.allRaised(hub.store)).as("the deadlock happened").isTrue();
        return stored;
    }

    @Test
    void aDeadlockStoringARunsWritesStoresThemAgainWithoutPerformingTheStepAgain() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        // Two: the run's writes share a transaction with other units, and a failed group runs each unit again
        // alone; with one failure the unit's second attempt would succeed without the writes being stored again.
        StoredEvent stored = routedThroughDeadlocks(2);

        assertThat(alpha.calls()).as("made at once by the run, and not again").extracting(call ->
                call.request().event().id()).containsExactly("e-1");
        assertThat(hub.store.executions().find("single", stored.seq()).orElseThrow().runs()).isEqualTo(1);
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void aDeadlockThatOutlastsTheRetriesRunsTheExecutionAgainInsteadOfFailingIt() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        // Before: FAILED with a route dead letter, the acknowledged event left for an operator's replay.
        StoredEvent stored = routedThroughDeadlocks(8);

        assertThat(hub.store.executions().find("single", stored.seq()).orElseThrow().runs())
                .as("the rolled-back run and the ones after it").isGreaterThanOrEqualTo(2);
        assertThat(alpha.calls()).as("at least once, each time under the step's key").hasSizeGreaterThanOrEqualTo(2)
                .extracting(call -> call.request().idempotencyKey())
                .containsOnly(alpha.calls().get(0).request().idempotencyKey());
        assertThat(hub.outbox.countByStatus()).containsEntry(Delivery.Status.DELIVERED, 1L);
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void anAppendHeldOpenForTenSecondsIsRoutedAndHoldsNothingBack() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha");
        Store webhookStore = bareStore(); // the slow webhook's own connection
        hub();
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Thread slowWebhook = new Thread(() -> webhookStore.transactions().executeWithoutResult(status -> {
            webhookStore.inbox().append(List.of(event("mlflow-single", "slow", "churn")));
            inserted.countDown();
            awaitQuietly(commit);
        }));
        long started = System.nanoTime();
        slowWebhook.start();
        assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();

        StoredEvent fast = append(hub.store, "mlflow-single", "fast", "churn");
        awaitOutcome(hub.store, fast, "single", Outcome.DONE, null);
        // Held open past any grace a reader could have given a gap (the old consumer waited 2 s).
        long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Thread.sleep(Math.max(0, 10_000 - heldMillis));
        commit.countDown();
        slowWebhook.join();

        StoredEvent slow = hub.store.inbox().find(CanonicalEvent.sourceOf("mlflow-single"), "slow").orElseThrow();
        assertThat(slow.seq()).as("drew its seq before the fast one").isLessThan(fast.seq());
        awaitOutcome(hub.store, slow, "single", Outcome.DONE, null);
        assertThat(alpha.calls()).extracting(call -> call.request().event().id()).containsExactly("fast", "slow");
    }

    @Test
    void aRolledBackAppendLeavesNoExecutionAndStallsNothing() throws Exception {
        Store webhookStore = bareStore();
        hub();
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch rollBack = new CountDownLatch(1);
        Thread failingWebhook = new Thread(() -> {
            try {
                webhookStore.transactions().executeWithoutResult(status -> {
                    webhookStore.inbox().append(List.of(event("mlflow-single", "lost", "churn")));
                    inserted.countDown();
                    awaitQuietly(rollBack);
                    status.setRollbackOnly();
                });
            } catch (RuntimeException ignored) {
                // rolled back
            }
        });
        failingWebhook.start();
        assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();
        rollBack.countDown();
        failingWebhook.join();

        StoredEvent next = append(hub.store, "mlflow-single", "next", "churn");
        awaitOutcome(hub.store, next, "single", Outcome.DONE, null);
        assertThat(hub.store.jdbc().queryForObject("SELECT COUNT(*) FROM route_execution WHERE route_id = 'single'",
                Integer.class)).isEqualTo(1);
        assertThat(ScriptedActionConnector.script("alpha").calls()).extracting(call -> call.request().event().id())
                .containsExactly("next");
    }

    @Test
    void twoInstancesOnOneDatabaseNeverRunTheSameExecutionTwice() throws Exception {
        Hub one = hub();
        Hub two = new Hub("two", pool(), InstanceId.newStart(null));
        List<StoredEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Hub via = i % 2 == 0 ? one : two; // webhooks spread over both
            events.add(append(via.store, "mlflow-count", "e-" + i, "model-" + (i % 8)));
        }

        for (StoredEvent stored : events) {
            awaitOutcome(one.store, stored, "count", Outcome.DONE, null);
        }
        for (StoredEvent stored : events) {
            String id = stored.event().id();
            int runs = RUNS.values().stream().mapToInt(perEvent -> perEvent.getOrDefault(id, new AtomicInteger()).get())
                    .sum();
            assertThat(runs).as("runs of event %s over both instances", id).isEqualTo(1);
        }
        assertThat(RUNS.values().stream().mapToInt(perEvent -> perEvent.size()).sum()).isEqualTo(40);
    }

    @Test
    void aDeadInstancesExecutionsAreTakenOverAfterTheLeaseAndARestartedNodeTakesItsOwnBackAtOnce() throws Exception {
        Store dead = bareStore();
        dead.executions().subscribe("count", List.of(), List.of("mlflow-count"), false);
        StoredEvent orphan = append(dead, "mlflow-count", "orphan", "churn");
        StoredEvent own = append(dead, "mlflow-count", "own", "fraud");
        InstanceId crashed = InstanceId.newStart(null);
        InstanceId predecessor = InstanceId.newStart("node-b");
        assertThat(dead.executions().claim("count", crashed, LEASE, 1)).extracting(RouteExecutions.Execution::eventSeq)
                .containsExactly(orphan.seq());
        assertThat(dead.executions().claim("count", predecessor, LEASE, 1)).extracting(RouteExecutions.Execution::eventSeq)
                .containsExactly(own.seq());

        Hub one = hub();
        StoredEvent fresh = append(one.store, "mlflow-count", "fresh", "other");
        awaitOutcome(one.store, fresh, "count", Outcome.DONE, null);
        assertThat(one.store.routeProgress().outcomes(orphan.seq())).extracting(RouteProgress.Entry::outcome)
                .as("its lease still holds").containsExactly(Outcome.RUNNING);

        InstanceId successor = InstanceId.newStart("node-b");
        Hub restarted = new Hub("restarted", pool(), successor);
        awaitOutcome(one.store, own, "count", Outcome.DONE, null);
        assertThat(RUNS.get("restarted")).containsOnlyKeys("own");
        assertThat(one.store.routeProgress().outcomes(orphan.seq())).extracting(RouteProgress.Entry::outcome)
                .containsExactly(Outcome.RUNNING);

        clock.advance(LEASE.plusSeconds(1));
        awaitOutcome(one.store, orphan, "count", Outcome.DONE, null);
        int runsOfOrphan = RUNS.values().stream().mapToInt(perEvent ->
                perEvent.getOrDefault("orphan", new AtomicInteger()).get()).sum();
        assertThat(runsOfOrphan).isEqualTo(1);
        assertThat(one.store.executions().find("count", orphan.seq()).orElseThrow().runs()).as("claims").isEqualTo(2);
        assertThat(one.store.executions().find("count", own.seq()).orElseThrow().ranBy()).as("who ran it")
                .isEqualTo(successor.holder());
        assertThat(one.store.executions().find("count", orphan.seq()).orElseThrow().ranBy())
                .isNotEqualTo(crashed.holder()).isNotNull();
        assertThat(restarted.name).isEqualTo("restarted");
    }

    private static CanonicalEvent event(String source, String id, String model) {
        return TestEvents.aliasSet(source, id, model, "1", "champion");
    }

    private static StoredEvent append(Store store, String source, String id, String model) {
        return store.inbox().append(List.of(event(source, id, model))).get(0);
    }

    private static void awaitOutcome(Store store, StoredEvent stored, String routeId, Outcome outcome, Integer step) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(store.routeProgress().outcomes(stored.seq()))
                .filteredOn(entry -> entry.routeId().equals(routeId))
                .extracting(RouteProgress.Entry::outcome, RouteProgress.Entry::step)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(outcome, step)));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
