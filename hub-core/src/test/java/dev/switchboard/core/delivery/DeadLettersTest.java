package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.delivery.DeadLetters.ReplayOutcome;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing, inspecting and replaying dead letters, without an engine: deliveries are dead-lettered by hand. */
class DeadLettersTest {

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private Outbox outbox;
    private DeadLetters deadLetters;

    @BeforeEach
    void open() {
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        outbox = new Outbox(store, Clock.systemUTC());
        deadLetters = new DeadLetters(store, outbox, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        TestDatabases.close(dataSource);
    }

    @Test
    void aFailedRouteIsDeadLetteredWithTheRouteAndItsReason() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        store.executions().subscribe("audit", List.of(), List.of(), false);
        StoredEvent event = store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "3",
                "champion"))).get(0);

        run("promote", event.seq(), RouteExecutions.Status.FAILED, "IllegalStateException: boom");
        run("audit", event.seq(), RouteExecutions.Status.DONE, null);

        DeadLetter deadLetter = deadLetters.list(DeadLetterFilter.all().withStage(DeadLetter.Stage.ROUTE),
                PageRequest.first(10)).items().get(0);
        assertThat(deadLetter.routeId()).isEqualTo("promote");
        assertThat(deadLetter.eventSeq()).isEqualTo(event.seq());
        assertThat(deadLetter.reason()).isEqualTo("route promote failed: IllegalStateException: boom");
        assertThat(deadLetters.get(deadLetter.id()).orElseThrow().delivery()).isEmpty();
        assertThat(deadLetters.list(DeadLetterFilter.all(), PageRequest.first(10)).items()).hasSize(1);
    }

    @Test
    void listsFilterByConnectionStageTimeAndReplayState() {
        Delivery alpha = deadLettered("alpha", "e-1");
        deadLettered("beta", "e-2");
        Instant now = Instant.now();

        assertThat(ids(DeadLetterFilter.openFor("alpha"))).containsExactly(alpha.id());
        assertThat(ids(DeadLetterFilter.all().withStage(DeadLetter.Stage.DELIVERY))).hasSize(2);
        assertThat(ids(DeadLetterFilter.all().withStage(DeadLetter.Stage.ROUTE))).isEmpty();
        assertThat(ids(DeadLetterFilter.all().between(now.minus(Duration.ofHours(1)), now.plusSeconds(1)))).hasSize(2);
        assertThat(ids(DeadLetterFilter.all().between(now.plusSeconds(60), null))).isEmpty();
        assertThat(ids(DeadLetterFilter.all().onlyOpen(false))).isEmpty();

        long deadLetterOfAlpha = deadLetters.list(DeadLetterFilter.openFor("alpha"), PageRequest.first(1)).items().get(0).id();
        deadLetters.replay(deadLetterOfAlpha);

        assertThat(ids(DeadLetterFilter.all().onlyOpen(false))).containsExactly(alpha.id());
        assertThat(ids(DeadLetterFilter.openFor("alpha"))).isEmpty();
    }

    @Test
    void pagesGoFromNewestToOldest() {
        for (int i = 1; i <= 5; i++) {
            deadLettered("alpha", "e-" + i);
        }

        Page<DeadLetter> first = deadLetters.list(DeadLetterFilter.all(), PageRequest.first(2));
        Page<DeadLetter> second = deadLetters.list(DeadLetterFilter.all(), PageRequest.first(2).next(first));
        Page<DeadLetter> last = deadLetters.list(DeadLetterFilter.all(), PageRequest.first(2).next(second));

        assertThat(first.items()).hasSize(2);
        assertThat(second.items()).hasSize(2);
        assertThat(last.items()).hasSize(1);
        assertThat(last.next()).isEmpty();
        assertThat(first.items().get(0).id()).isGreaterThan(second.items().get(0).id());
        assertThatThrownBy(() -> deadLetters.list(DeadLetterFilter.all(), new PageRequest("abc", 2)))
                .hasMessageContaining("\"abc\"");
    }

    @Test
    void replayAllQueuesEveryOpenMatchAgainWithAttemptsResetAndTheSameKey() {
        Delivery first = deadLettered("alpha", "e-1");
        Delivery second = deadLettered("alpha", "e-2");
        Delivery other = deadLettered("beta", "e-3");

        List<DeadLetters.ReplayResult> results = deadLetters.replayAll(DeadLetterFilter.openFor("alpha"));

        assertThat(results).extracting(DeadLetters.ReplayResult::outcome).containsOnly(ReplayOutcome.REPLAYED).hasSize(2);
        for (Delivery delivery : List.of(first, second)) {
            Delivery requeued = outbox.get(delivery.id()).orElseThrow();
            assertThat(requeued.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(requeued.attempts()).isZero();
            assertThat(requeued.idempotencyKey()).isEqualTo(delivery.idempotencyKey());
        }
        assertThat(outbox.get(other.id()).orElseThrow().status()).isEqualTo(Delivery.Status.DEAD);
        assertThat(deadLetters.replayAll(DeadLetterFilter.openFor("alpha"))).isEmpty();
    }

    @Test
    void replayingAnUnknownDeadLetterSaysSo() {
        assertThat(deadLetters.replay(404).outcome()).isEqualTo(ReplayOutcome.NOT_FOUND);
    }

    private Delivery deadLettered(String connection, String eventId) {
        var event = TestEvents.aliasSet("mlflow-prod", eventId, "churn", "3", "champion");
        outbox.enqueue(new ActionCall(connection, "run", Map.of(), event, null, "promote", connection + eventId));
        Delivery claimed = outbox.claimDue(1, Duration.ofMinutes(1), "test").get(0);
        assertThat(deadLetters.deadLetterDelivery(claimed, "configuration error, not retried: no")).isTrue();
        return claimed;
    }

    private List<Long> ids(DeadLetterFilter filter) {
        return deadLetters.list(filter, PageRequest.first(50)).items().stream().map(DeadLetter::deliveryId).toList();
    }

    /** Claims the route's execution of the event and ends its run as {@code status}, as a route's consumer would. */
    private void run(String routeId, long seq, RouteExecutions.Status status, String detail) {
        InstanceId instance = InstanceId.newStart(null);
        RouteExecutions.Execution execution = store.executions().claim(routeId, instance, Duration.ofSeconds(30), 1)
                .get(0);
        assertThat(execution.eventSeq()).isEqualTo(seq);
        store.transactions().executeWithoutResult(tx -> store.executions().finish(execution, status, null, null, detail));
    }
}
