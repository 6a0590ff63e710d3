package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.ScriptedActionConnector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery claims under short, renewed leases, with instance identity, against each supported engine (a subclass per
 * engine). Leases run out only when the test moves its clock; nothing waits for one to expire.
 */
abstract class DeliveryLeaseContractTest {

    private static final Duration LEASE = DeliveryFixture.FAST.lease();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private DeliveryFixture hub;

    protected abstract DataSource createDataSource();

    @BeforeEach
    void open() {
        ScriptedActionConnector.reset();
        hub = new DeliveryFixture(createDataSource(), clock);
    }

    @AfterEach
    void close() {
        ScriptedActionConnector.reset();
        hub.close();
    }

    @Test
    void aDeliveryInProgressIsRenewedSoNoOtherInstanceTakesItOverWhileItsEngineLives() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").hang();
        DeliveryEngine engine = hub.startEngine(DeliveryFixture.FAST, InstanceId.newStart("hub-0"));
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);

        // 40 s after the claim, past its first lease: renewed in between by the heartbeat.
        clock.advance(LEASE.multipliedBy(2).dividedBy(3));
        engine.heartbeat();
        clock.advance(LEASE.multipliedBy(2).dividedBy(3));
        List<Delivery> takenByAnother = hub.outbox.claimDue(1, LEASE, InstanceId.newStart("hub-1"));
        alpha.release();

        assertThat(takenByAnother).isEmpty();
        await().atMost(WAIT).until(() -> hub.status(delivery) == Delivery.Status.DELIVERED);
        assertThat(alpha.callsWithKey(delivery.idempotencyKey())).isEqualTo(1);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.DELIVERED);
    }

    @Test
    void aClaimReturnsTheDeliveriesAsItStoredThemEachUnderAClaimOfItsOwnOldestFirst() {
        Delivery first = hub.enqueue("alpha", "e-1", "churn");
        Delivery second = hub.enqueue("beta", "e-2", "fraud");
        hub.enqueue("alpha", "e-3", "iris");

        List<Delivery> claimed = hub.outbox.claimDue(2, LEASE, InstanceId.newStart("hub-0"));

        assertThat(claimed).extracting(Delivery::id).containsExactly(first.id(), second.id());
        for (Delivery delivery : claimed) {
            assertThat(delivery).isEqualTo(hub.outbox.get(delivery.id()).orElseThrow());
            assertThat(delivery.status()).isEqualTo(Delivery.Status.IN_FLIGHT);
            assertThat(delivery.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        }
        assertThat(claimed).extracting(Delivery::claimToken).allMatch(token -> token.startsWith("hub-0/"))
                .doesNotHaveDuplicates();
    }

    @Test
    void aDeadInstancesClaimIsTakenOverWhenItsLeaseRunsOutAndNotBefore() {
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        InstanceId dead = InstanceId.newStart("hub-0");
        Delivery deadClaim = hub.outbox.claimDue(1, LEASE, dead).get(0);
        assertThat(hub.outbox.startAttempt(deadClaim)).contains(1);

        clock.advance(LEASE.minusSeconds(1));
        List<Delivery> early = hub.outbox.claimDue(1, LEASE, InstanceId.newStart("hub-1"));
        List<Delivery> anonymous = hub.outbox.claimDue(1, LEASE, "anonymous");
        clock.advance(Duration.ofSeconds(1));
        List<Delivery> takenOver = hub.outbox.claimDue(1, LEASE, InstanceId.newStart("hub-1"));

        assertThat(early).isEmpty();
        assertThat(anonymous).isEmpty();
        assertThat(takenOver).singleElement().satisfies(claim -> {
            assertThat(claim.id()).isEqualTo(delivery.id());
            assertThat(claim.claimToken()).startsWith("hub-1/");
        });
        assertThat(hub.outbox.reschedule(deadClaim, clock.instant(), "late")).isFalse();
    }

    @Test
    void aPendingDeliveryIsHeldBackByALaterOneInFlightOnlyUntilThatOnesLeaseRunsOut() {
        Delivery earlier = hub.enqueue("alpha", "e-1", "churn");
        Delivery later = hub.enqueue("alpha", "e-2", "churn");
        // The later one claimed by an instance before the earlier one's enqueue committed (two instances enqueueing
        // for one subject at once), then that instance died.
        hub.store.jdbc().update("UPDATE outbox_delivery SET status = 'IN_FLIGHT', lease_until = ?, claimed_by = ? "
                + "WHERE id = ?", java.sql.Timestamp.from(clock.instant().plus(LEASE)), "hub-0/dead", later.id());

        assertThat(hub.outbox.claimDue(10, LEASE, InstanceId.newStart("hub-1")))
                .as("neither goes while the later one's claim holds").isEmpty();
        clock.advance(LEASE);
        assertThat(hub.outbox.claimDue(10, LEASE, InstanceId.newStart("hub-1"))).extracting(Delivery::id)
                .as("the earlier one first; it held back the later one in turn").containsExactly(earlier.id());
    }

    @Test
    void aDueDeliveryWaitsWhileARunMakesAFirstAttemptOnItsLane() throws Exception {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").hang();
        DeliveryEngine engine = hub.startEngine(DeliveryFixture.FAST);
        ActionCall step = hub.call("alpha", "e-1", "churn");
        var firstAttempt = java.util.concurrent.CompletableFuture.supplyAsync(() -> engine.performNow(step,
                new dev.switchboard.core.store.RunWrites()));
        await().atMost(WAIT).until(() -> alpha.calls().size() == 1);

        // Another route's step for the same subject and connection, queued: it has an outbox row, the run's has not.
        Delivery queued = hub.enqueue("alpha", "e-2", "churn");
        await().atMost(WAIT).until(() -> hub.counter("switchboard.delivery.lane.waits", "connection", "alpha") >= 1);
        alpha.release();

        assertThat(firstAttempt.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).get()
                .isInstanceOf(StepOutcome.Completed.class);
        await().atMost(WAIT).until(() -> hub.status(queued) == Delivery.Status.DELIVERED);
        assertThat(alpha.subjectOverlaps()).isZero();
        assertThat(alpha.calls()).extracting(c -> c.request().idempotencyKey())
                .containsExactly(step.idempotencyKey(), queued.idempotencyKey());
    }

    @Test
    void aRestartedInstanceTakesItsPredecessorsClaimsBackAtOnce() {
        Delivery delivery = hub.enqueue("alpha", "e-1", "churn");
        Delivery predecessorClaim = hub.outbox.claimDue(1, LEASE, InstanceId.newStart("hub-0")).get(0);
        assertThat(hub.outbox.startAttempt(predecessorClaim)).contains(1);
        assertThat(hub.outbox.claimDue(1, LEASE, InstanceId.newStart("hub-1")))
                .as("another node waits for the lease").isEmpty();

        hub.startEngine(DeliveryFixture.FAST, InstanceId.newStart("hub-0"));

        // The clock never moves: only the node name lets the restarted instance take the claim.
        await().atMost(WAIT).until(() -> hub.status(delivery) == Delivery.Status.DELIVERED);
        assertThat(hub.outbox.attempts(delivery.id())).extracting(Attempt::outcome)
                .containsExactly(Attempt.Outcome.LEASE_EXPIRED, Attempt.Outcome.DELIVERED);
        assertThat(ScriptedActionConnector.script("alpha").callsWithKey(delivery.idempotencyKey())).isEqualTo(1);
    }
}
