package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.delivery.DeliveryEngine.Settings;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.ScriptedActionConnector.Call;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.PageRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox and delivery engine against each supported database engine (a subclass per engine). */
abstract class DeliveryEngineContractTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    protected DeliveryFixture hub;

    protected abstract DataSource createDataSource();

    @BeforeEach
    void open() {
        ScriptedActionConnector.reset();
        InMemoryRegistryConnector.reset();
        hub = new DeliveryFixture(createDataSource());
    }

    @AfterEach
    void close() {
        ScriptedActionConnector.reset();
        hub.close();
    }

    @Test
    void deliversAnEnqueuedActionOnceAndRecordsTheAttempt() {
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");

        awaitStatus(delivery, Delivery.Status.DELIVERED);
        List<Call> calls = ScriptedActionConnector.script("alpha").calls();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).request().idempotencyKey()).isEqualTo(delivery.idempotencyKey());
        assertThat(calls.get(0).request().parameters()).containsEntry("workflow", "deploy.yml");
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.DELIVERED);
        awaitCounter(1, "switchboard.deliveries", "connection", "alpha", "outcome", "delivered");
        awaitCounter(1, "switchboard.delivery.attempts", "connection", "alpha", "result", "success");
    }

    @Test
    void aDeliveryEnqueuedInATransactionIsPerformedOnceWhenItCommits() {
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueueInTransaction("alpha", "e-1", "churn");

        // One claim path on every store: a new delivery is stored PENDING and claimed by the poller.
        assertThat(delivery.status()).isEqualTo(Delivery.Status.PENDING);
        awaitStatus(delivery, Delivery.Status.DELIVERED);
        assertThat(ScriptedActionConnector.script("alpha").callsWithKey(delivery.idempotencyKey())).isEqualTo(1);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::number, Attempt::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Attempt.Outcome.DELIVERED));
        awaitCounter(1, "switchboard.deliveries", "connection", "alpha", "outcome", "delivered");
    }

    @Test
    void aRouteThatRunsAgainAfterACrashGetsItsDeliveredDeliveryBackAndNothingIsPerformedTwice() {
        hub.startEngine(DeliveryFixture.FAST);
        Delivery first = hub.enqueueInTransaction("alpha", "e-1", "churn");
        awaitStatus(first, Delivery.Status.DELIVERED);

        Delivery again = hub.enqueueInTransaction("alpha", "e-1", "churn");
        Delivery later = hub.enqueueInTransaction("alpha", "e-2", "churn");

        assertThat(again.id()).isEqualTo(first.id());
        awaitStatus(later, Delivery.Status.DELIVERED);
        assertThat(ScriptedActionConnector.script("alpha").callsWithKey(first.idempotencyKey())).isEqualTo(1);
        assertThat(ScriptedActionConnector.script("alpha").calls()).hasSize(2);
    }

    @Test
    void aRolledBackEnqueueIsNeverPerformedAndGivesBackWhatTheEngineTookForIt() {
        hub.startEngine(DeliveryFixture.FAST); // 4 workers, 2 per connection
        for (int i = 0; i < 4; i++) {
            String eventId = "rolled-back-" + i;
            hub.store.transactions().executeWithoutResult(status -> {
                hub.enqueue("alpha", eventId, "model-" + eventId);
                status.setRollbackOnly();
            });
        }

        // Had the rolled-back enqueues kept their workers and bulkhead slots, these could not be performed.
        List<Delivery> later = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            later.add(hub.enqueueInTransaction("alpha", "e-" + i, "model-" + i));
        }
        later.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
        assertThat(ScriptedActionConnector.script("alpha").calls()).hasSize(4)
                .noneMatch(call -> call.request().event().id().startsWith("rolled-back"));
        Map<Delivery.Status, Long> stored = hub.outbox.countByStatus();
        assertThat(stored).containsEntry(Delivery.Status.DELIVERED, 4L);
        assertThat(stored.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4);
    }

    @Test
    void deliveriesOfOneSubjectEnqueuedByRoutesRunInOrderOneAtATime() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").pause(Duration.ofMillis(10))
                .failTransiently(2);
        hub.startEngine(DeliveryFixture.FAST);
        List<Delivery> deliveries = enqueueSixOfEachSubject(hub::enqueueInTransaction);
        // Two in one transaction: the second must wait for the first, which is not committed when it is enqueued.
        hub.store.transactions().executeWithoutResult(status -> {
            deliveries.add(hub.enqueue("alpha", "churn-6", "churn"));
            deliveries.add(hub.enqueue("alpha", "churn-7", "churn"));
        });

        Map<String, List<Integer>> orderBySubject = awaitDeliveredInOrderPerSubject(alpha, deliveries);
        assertThat(orderBySubject.get(deliveries.get(0).event().subject())).contains(6, 7);
    }

    @Test
    void aDeliveryOfAnUnchangedInboxEventKeepsNoSecondCopyOfItAndAChangedOneIsKept() {
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "1", "champion");
        long seq = hub.store.inbox().append(List.of(event)).get(0).seq();
        CanonicalEvent changed = TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "1", "challenger");

        Delivery same = hub.outbox.enqueue(new ActionCall("alpha", "run", Map.of(), event, seq, "promote", "k-same"));
        Delivery other = hub.outbox.enqueue(new ActionCall("alpha", "run", Map.of(), changed, seq, "promote", "k-other"));

        assertThat(storedPayload(same)).as("read from the inbox row").isNull();
        assertThat(storedPayload(other)).isNotNull();
        // Read back by a store that never saw these events in memory.
        Outbox cold = new Outbox(Store.open(hub.store.jdbc().getDataSource(), Clock.systemUTC()), Clock.systemUTC());
        assertThat(cold.get(same.id()).orElseThrow().event()).isEqualTo(event);
        assertThat(cold.get(other.id()).orElseThrow().event()).isEqualTo(changed);
        assertThat(cold.findByKey("k-same").orElseThrow().event()).isEqualTo(event);
    }

    private String storedPayload(Delivery delivery) {
        return hub.store.jdbc().queryForObject("SELECT event_payload FROM outbox_delivery WHERE id = ?", String.class,
                delivery.id());
    }

    @Test
    void dispatchingTheSameCallTwiceStoresOneDeliveryAndReturnsAtOnce() {
        OutboxActionDispatcher dispatcher = new OutboxActionDispatcher(hub.outbox);
        Delivery first = hub.enqueue("alpha", "e-1", "churn");
        var call = new ActionCall("alpha", "run", Map.of(), first.event(), null, "promote", first.idempotencyKey());

        assertThat(dispatcher.perform(call)).isEqualTo(new StepOutcome.Waiting(first.id()));
        assertThat(hub.outbox.enqueue(call).id()).isEqualTo(first.id());
        assertThat(hub.outbox.countByStatus()).containsEntry(Delivery.Status.PENDING, 1L);
        assertThat(ScriptedActionConnector.script("alpha").calls()).isEmpty();
    }

    @Test
    void aStepsLookUpFindsItsDeliveryAfterTheFirstRunAndItsLaneInEveryRun() {
        Delivery pending = hub.enqueueInTransaction("alpha", "e-1", "churn"); // no engine: stays PENDING

        Outbox.StepLookup later = hub.outbox.lookUpStep(hub.call("alpha", "e-1", "churn"), false);
        assertThat(later.stored()).map(Delivery::id).contains(pending.id());
        assertThat(later.laneBusy()).isTrue();
        // A first run stored nothing before, so its step's delivery is not looked for; its lane still is.
        Outbox.StepLookup first = hub.outbox.lookUpStep(hub.call("alpha", "e-2", "churn"), true);
        assertThat(first.stored()).isEmpty();
        assertThat(first.laneBusy()).isTrue();
        assertThat(hub.outbox.lookUpStep(hub.call("alpha", "e-3", "retention"), true).laneBusy()).isFalse();
        assertThat(hub.outbox.lookUpStep(hub.call("beta", "e-4", "churn"), true).laneBusy()).isFalse();
        assertThat(hub.outbox.lookUpStep(hub.call("beta", "e-4", "churn"), false))
                .isEqualTo(new Outbox.StepLookup(java.util.Optional.empty(), false));
    }

    @Test
    void transientFailuresAreRetriedWithBackoffAndRetryAfterIsHonoured() {
        ScriptedActionConnector.script("alpha").failTransiently(1).failWithRetryAfter(Duration.ofSeconds(1));
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");

        awaitStatus(delivery, Delivery.Status.DELIVERED);
        List<Attempt> attempts = hub.outbox.attempts(delivery.id());
        assertThat(attempts).extracting(Attempt::outcome).containsExactly(Attempt.Outcome.FAILED,
                Attempt.Outcome.FAILED, Attempt.Outcome.DELIVERED);
        assertThat(attempts.get(0).errorKind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(attempts.get(1).error()).contains("429");
        assertThat(Duration.between(attempts.get(1).finishedAt(), attempts.get(2).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        awaitCounter(2, "switchboard.deliveries", "connection", "alpha", "outcome", "retried");
    }

    @Test
    void aConfigurationErrorIsDeadLetteredAtOnceWithItsReasonAndAttempts() {
        ScriptedActionConnector.script("alpha").failPermanently();
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");

        awaitStatus(delivery, Delivery.Status.DEAD);
        DeadLetter deadLetter = onlyDeadLetter();
        assertThat(deadLetter.stage()).isEqualTo(DeadLetter.Stage.DELIVERY);
        assertThat(deadLetter.connection()).isEqualTo("alpha");
        assertThat(deadLetter.reason()).contains("configuration error, not retried").contains("unknown workflow");
        DeadLetters.Detail detail = hub.deadLetters.get(deadLetter.id()).orElseThrow();
        assertThat(detail.delivery()).get().extracting(Delivery::idempotencyKey).isEqualTo(delivery.idempotencyKey());
        assertThat(detail.attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.errorKind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(attempt.error()).contains("[alpha]");
        });
        assertThat(ScriptedActionConnector.script("alpha").calls()).hasSize(1);
    }

    @Test
    void transientFailuresBeyondMaxAttemptsAreDeadLetteredWithTheLastError() {
        ScriptedActionConnector.script("alpha").failAlwaysTransiently();
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");

        awaitStatus(delivery, Delivery.Status.DEAD);
        assertThat(onlyDeadLetter().reason()).contains("gave up after 4 attempts").contains("tool is down");
        assertThat(hub.outbox.attempts(delivery.id())).hasSize(4);
        awaitCounter(1, "switchboard.deliveries", "connection", "alpha", "outcome", "dead_lettered");
    }

    @Test
    void anUnknownActionOrConnectionIsAConfigurationDeadLetter() {
        hub.startEngine(DeliveryFixture.FAST);
        Delivery unknownAction = hub.enqueue("alpha", "teleport", "e-1", "churn");
        Delivery unknownConnection = hub.enqueue("nowhere", "run", "e-2", "fraud");

        awaitStatus(unknownAction, Delivery.Status.DEAD);
        awaitStatus(unknownConnection, Delivery.Status.DEAD);
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items())
                .extracting(DeadLetter::reason)
                .anySatisfy(reason -> assertThat(reason).contains("unknown action teleport").contains("run"))
                .anySatisfy(reason -> assertThat(reason).contains("no connection named nowhere"));
    }

    @Test
    void theHubsOwnActionsArePerformedByTheHubNotLookedUpAsAConnection() {
        hub.startEngine(DeliveryFixture.FAST);
        // Without a connection= parameter the hub's action itself refuses: proof that it ran, not a missing "hub".
        Delivery tag = hub.enqueue(HubActions.CONNECTION, "tag-model-version", "e-1", "churn");

        awaitStatus(tag, Delivery.Status.DEAD);
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items())
                .extracting(DeadLetter::reason).singleElement()
                .satisfies(reason -> assertThat(reason).doesNotContain("no connection named hub"));
    }

    @Test
    void aHubActionAToolRefusedIsFiledUnderThatToolNamingTheActionAndReplayedByItsConnection() {
        InMemoryRegistry registry = InMemoryRegistryConnector.registry("registry");
        registry.createVersion(new ModelVersion(ResourceRef.of("memory", "src", "model_version", "churn/1"), "churn",
                "1", null, null, null, Set.of(), null, null, Map.of(), Map.of(), Map.of(), null, null), "k-1");
        registry.failWritesAfter(0, false, () -> ConnectorException.configuration("registry", "tag writes refused"));
        hub.startEngine(DeliveryFixture.FAST);
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "1", "champion");
        Delivery tag = hub.outbox.enqueue(new ActionCall(HubActions.CONNECTION, "tag-model-version",
                Map.of("connection", "registry", "key", "deploy.status", "value", "ok"), event, null, "r", "k-tag"));

        awaitStatus(tag, Delivery.Status.DEAD);
        DeadLetter deadLetter = onlyDeadLetter();
        assertThat(deadLetter.connection()).isEqualTo("registry");
        assertThat(deadLetter.action()).isEqualTo("hub/tag-model-version");
        assertThat(deadLetter.reason()).contains("tag writes refused");
        assertThat(hub.deadLetters.list(DeadLetterFilter.openFor(HubActions.CONNECTION), PageRequest.first(10))
                .items()).isEmpty();

        registry.heal();
        assertThat(hub.deadLetters.replayAll(DeadLetterFilter.openFor("registry")))
                .extracting(DeadLetters.ReplayResult::outcome).containsExactly(DeadLetters.ReplayOutcome.REPLAYED);
        awaitStatus(tag, Delivery.Status.DELIVERED);
        assertThat(registry.getVersion("churn", "1").orElseThrow().tags()).containsEntry("deploy.status", "ok");
    }

    @Test
    void aHubActionsOwnRefusalStaysUnderTheHub() {
        hub.startEngine(DeliveryFixture.FAST);
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "1", "champion");
        Delivery copy = hub.outbox.enqueue(new ActionCall(HubActions.CONNECTION, "copy-artifact",
                Map.of("from", "nowhere://a/b", "to", "nowhere://c/d"), event, null, "r", "k-copy"));

        awaitStatus(copy, Delivery.Status.DEAD);
        assertThat(onlyDeadLetter()).satisfies(deadLetter -> {
            assertThat(deadLetter.connection()).isEqualTo(HubActions.CONNECTION);
            assertThat(deadLetter.action()).isEqualTo("hub/copy-artifact");
            assertThat(deadLetter.reason()).contains("no configured connection serves artifacts at nowhere://a/b");
        });
    }

    @Test
    void replayAfterFixingTheTargetDeliversExactlyOnce() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").failPermanently();
        hub.startEngine(DeliveryFixture.FAST);
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        awaitStatus(delivery, Delivery.Status.DEAD);
        DeadLetter deadLetter = onlyDeadLetter();

        alpha.succeed();
        assertThat(hub.deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);
        assertThat(hub.deadLetters.replay(deadLetter.id()).outcome())
                .isEqualTo(DeadLetters.ReplayOutcome.ALREADY_REPLAYED);
        awaitStatus(delivery, Delivery.Status.DELIVERED);

        assertThat(hub.deadLetters.replayAll(DeadLetterFilter.openFor("alpha"))).isEmpty();
        assertThat(hub.deadLetters.replay(deadLetter.id()).outcome())
                .isEqualTo(DeadLetters.ReplayOutcome.ALREADY_REPLAYED);
        assertThat(alpha.callsWithKey(delivery.idempotencyKey())).isEqualTo(2); // the failed one and the replay
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::number, Attempt::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Attempt.Outcome.FAILED),
                        org.assertj.core.groups.Tuple.tuple(2, Attempt.Outcome.DELIVERED));
        assertThat(hub.deadLetters.find(deadLetter.id()).orElseThrow().open()).isFalse();
        assertThat(hub.outbox.get(delivery.id()).orElseThrow().status()).isEqualTo(Delivery.Status.DELIVERED);
    }

    @Test
    void anOpenBreakerPostponesOneConnectionWhileAnotherConnectionsDeliveriesProceed() {
        ScriptedActionConnector.Script down = ScriptedActionConnector.script("down").failAlwaysTransiently();
        CircuitBreakerConfig opensQuickly = DeliveryEngine.breakerConfigFrom(CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(2).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofHours(1)));
        Settings patient = new Settings(50, Duration.ofMillis(20), Duration.ofMillis(100), 4, Duration.ofSeconds(30),
                Duration.ofMillis(50));
        DeliveryEngine engine = hub.startEngine(patient, opensQuickly);
        List<Delivery> toDown = new ArrayList<>();
        List<Delivery> toAlpha = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            toDown.add(hub.enqueue("down", "d-" + i, "down-model-" + i));
            toAlpha.add(hub.enqueue("alpha", "a-" + i, "alpha-model-" + i));
        }

        await().atMost(WAIT).until(() -> engine.breaker("down").getState() == CircuitBreaker.State.OPEN);
        toAlpha.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
        assertThat(ScriptedActionConnector.script("alpha").calls()).hasSize(6);
        await().atMost(WAIT).until(() -> hub.counter("switchboard.deliveries", "connection", "down", "outcome",
                "breaker_open") > 0);
        int callsWhenOpen = down.calls().size();
        assertThat(toDown).allSatisfy(delivery -> assertThat(hub.status(delivery))
                .isIn(Delivery.Status.PENDING, Delivery.Status.IN_FLIGHT));
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
        assertThat(callsWhenOpen).isLessThan(6 * 2);
        assertThat(hub.meters.find("resilience4j.circuitbreaker.state").tags("name", "down", "state", "open")
                .gauge().value()).isEqualTo(1.0);
    }

    @Test
    void aHangingConnectionCannotTakeEveryWorkerFromTheOthers() {
        ScriptedActionConnector.Script down = ScriptedActionConnector.script("down").hang();
        hub.startEngine(DeliveryFixture.FAST); // 4 workers, so at most 2 per connection
        List<Delivery> toDown = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            toDown.add(hub.enqueue("down", "d-" + i, "down-model-" + i));
        }
        await().atMost(WAIT).until(() -> down.calls().size() == 2);

        List<Delivery> toAlpha = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            toAlpha.add(hub.enqueue("alpha", "a-" + i, "alpha-model-" + i));
        }

        toAlpha.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
        assertThat(down.calls()).hasSize(2);
        // The two beyond the bulkhead were never claimed: still pending, untouched, not bounced to a later time.
        assertThat(toDown.stream().map(d -> hub.outbox.get(d.id()).orElseThrow())
                .filter(d -> d.status() == Delivery.Status.PENDING))
                .hasSize(2).allSatisfy(pending -> {
                    assertThat(pending.attempts()).isZero();
                    assertThat(pending.lastError()).isNull();
                    assertThat(pending.claimToken()).isNull();
                });
        down.release();
        toDown.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
    }

    @Test
    void deliveriesOfOneSubjectRunInOrderWhileOtherSubjectsRunConcurrently() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").pause(Duration.ofMillis(10))
                .failTransiently(2);
        hub.startEngine(DeliveryFixture.FAST);

        awaitDeliveredInOrderPerSubject(alpha, enqueueSixOfEachSubject(hub::enqueue));
    }

    /** How a test enqueues one delivery to {@code connection}. */
    private interface Enqueue {
        Delivery enqueue(String connection, String eventId, String model);
    }

    /** Events {@code <model>-0} to {@code <model>-5} of three models (subjects), interleaved, to {@code alpha}. */
    private static List<Delivery> enqueueSixOfEachSubject(Enqueue enqueue) {
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            for (String model : List.of("churn", "fraud", "ltv")) {
                deliveries.add(enqueue.enqueue("alpha", model + "-" + i, model));
            }
        }
        return deliveries;
    }

    /** Waits for every delivery, asserts that no subject had two at once, and returns each subject's call order. */
    private Map<String, List<Integer>> awaitDeliveredInOrderPerSubject(ScriptedActionConnector.Script alpha,
                                                                      List<Delivery> deliveries) {
        deliveries.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
        assertThat(alpha.subjectOverlaps()).isZero();
        Map<String, List<Integer>> orderBySubject = alpha.calls().stream().collect(Collectors.groupingBy(
                call -> call.request().event().subject(), Collectors.mapping(call -> Integer.parseInt(
                        call.request().event().id().replaceAll(".*-", "")), Collectors.toList())));
        assertThat(orderBySubject).hasSize(3).allSatisfy((subject, order) -> assertThat(order).isSorted());
        return orderBySubject;
    }

    @Test
    void aDeadLetteredDeliveryDoesNotHoldBackLaterOnesOfItsSubject() {
        ScriptedActionConnector.script("alpha").failPermanently();
        hub.startEngine(DeliveryFixture.FAST);
        Delivery failing = hub.enqueue("alpha", "e-1", "churn");
        awaitStatus(failing, Delivery.Status.DEAD);
        ScriptedActionConnector.script("alpha").succeed();

        awaitStatus(hub.enqueue("alpha", "e-2", "churn"), Delivery.Status.DELIVERED);
    }

    @Test
    void aConnectionThatKeepsFailingDoesNotHoldBackAnotherConnectionsDeliveriesOfTheSameSubject() {
        ScriptedActionConnector.script("down").failAlwaysTransiently();
        Settings patient = new Settings(50, Duration.ofMillis(20), Duration.ofMillis(100), 4, Duration.ofSeconds(30),
                Duration.ofMillis(50));
        hub.startEngine(patient);
        Delivery toDown = hub.enqueue("down", "e-1", "churn");
        Delivery toAlpha = hub.enqueue("alpha", "e-1", "churn");

        awaitStatus(toAlpha, Delivery.Status.DELIVERED);
        assertThat(hub.status(toDown)).isIn(Delivery.Status.PENDING, Delivery.Status.IN_FLIGHT);
        assertThat(toDown.event().subject()).isEqualTo(toAlpha.event().subject());
    }

    @Test
    void aClaimWhoseLeaseExpiredIsTakenOverAndTheStaleClaimCannotCompleteIt() {
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        // A "crashed" instance: claimed with a short lease and started an attempt, then never came back.
        Delivery crashedClaim = hub.outbox.claimDue(1, Duration.ofMillis(300), "crashed").get(0);
        assertThat(hub.outbox.startAttempt(crashedClaim)).contains(1);
        assertThat(hub.outbox.claimDue(1, Duration.ofSeconds(30), "other")).isEmpty();

        hub.startEngine(DeliveryFixture.FAST);

        awaitStatus(delivery, Delivery.Status.DELIVERED);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.LEASE_EXPIRED, Attempt.Outcome.DELIVERED);
        assertThat(hub.outbox.markDead(crashedClaim, "late")).isFalse();
        assertThat(hub.outbox.reschedule(crashedClaim, java.time.Instant.now(), "late")).isFalse();
        assertThat(hub.status(delivery)).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(ScriptedActionConnector.script("alpha").callsWithKey(delivery.idempotencyKey())).isEqualTo(1);
    }

    @Test
    void aStoreFailureAtTheStartOfAnAttemptGivesTheBreakersPermissionBack() {
        // One trial call in half-open: had the failed start kept its permission, the breaker would wait forever
        // for that call's outcome and postpone every later delivery of the connection.
        CircuitBreakerConfig oneTrial = DeliveryEngine.breakerConfigFrom(CircuitBreakerConfig.custom()
                .permittedNumberOfCallsInHalfOpenState(1).waitDurationInOpenState(Duration.ofHours(1)));
        DeliveryEngine engine = hub.startEngine(new Settings(4, Duration.ofMillis(20), Duration.ofMillis(200), 4,
                Duration.ofSeconds(1), Duration.ofMillis(50)), oneTrial);
        engine.breaker("alpha").transitionToOpenState();
        engine.breaker("alpha").transitionToHalfOpenState();
        Delivery delivery;
        hub.store.jdbc().execute("ALTER TABLE delivery_attempt RENAME TO delivery_attempt_away");
        try {
            delivery = hub.enqueue("alpha", "e-1", "churn");
            // The claim commits; recording the attempt's start fails. The claim's lease runs out meanwhile.
            awaitStatus(delivery, Delivery.Status.IN_FLIGHT);
            java.time.Instant leaseEnd = hub.outbox.get(delivery.id()).orElseThrow().leaseUntil();
            await().atMost(WAIT).until(() -> java.time.Instant.now().isAfter(leaseEnd.plusMillis(200)));
        } finally {
            hub.store.jdbc().execute("ALTER TABLE delivery_attempt_away RENAME TO delivery_attempt");
        }

        awaitStatus(delivery, Delivery.Status.DELIVERED);
        assertThat(engine.breaker("alpha").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.DELIVERED);
    }

    @Test
    void aStoreFailureAfterTheToolAnsweredLeavesTheDeliveryToBeTakenOverNotFailedOrDeadLettered() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").hang();
        DeliveryEngine engine = hub.startEngine(new Settings(4, Duration.ofMillis(20), Duration.ofMillis(200), 4,
                Duration.ofSeconds(2), Duration.ofMillis(50)));
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);
        java.time.Instant leaseEnd = hub.outbox.get(delivery.id()).orElseThrow().leaseUntil();
        hub.store.jdbc().execute("ALTER TABLE outbox_delivery RENAME TO outbox_delivery_away");
        try {
            // The tool answers; marking the delivery delivered fails. The claim's lease runs out meanwhile.
            alpha.release();
            await().atMost(WAIT).until(() -> java.time.Instant.now().isAfter(leaseEnd.plusMillis(300)));
        } finally {
            hub.store.jdbc().execute("ALTER TABLE outbox_delivery_away RENAME TO outbox_delivery");
        }

        awaitStatus(delivery, Delivery.Status.DELIVERED);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.LEASE_EXPIRED, Attempt.Outcome.DELIVERED);
        assertThat(alpha.callsWithKey(delivery.idempotencyKey())).isEqualTo(2); // at least once, same key
        assertThat(engine.breaker("alpha").getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).isEmpty();
    }

    @Test
    void depthGaugesReadTheOutbox() {
        hub.startEngine(DeliveryFixture.FAST).stop();
        hub.enqueue("alpha", "e-1", "churn");

        assertThat(hub.meters.find("switchboard.outbox.depth").tags("status", "pending").gauge().value()).isEqualTo(1.0);
        assertThat(hub.meters.find("switchboard.inbox.backlog").gauge().value()).isZero();
    }

    /** The engine counts a delivery's outcome just after storing it, so a test that saw the status waits a moment. */
    private void awaitCounter(double expected, String name, String... tags) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(hub.counter(name, tags)).isEqualTo(expected));
    }

    protected void awaitStatus(Delivery delivery, Delivery.Status status) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(hub.status(delivery)).isEqualTo(status));
    }

    private DeadLetter onlyDeadLetter() {
        return hub.deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items().stream().reduce((a, b) -> {
            throw new AssertionError("more than one dead letter: " + a + ", " + b);
        }).orElseThrow(() -> new AssertionError("no dead letter"));
    }
}
