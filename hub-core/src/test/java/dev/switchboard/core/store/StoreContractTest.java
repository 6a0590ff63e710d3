package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.ResourceRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store's behaviour, run against each supported engine by a subclass. */
abstract class StoreContractTest {

    private DataSource dataSource;
    private Store store;

    protected abstract DataSource createDataSource();

    protected abstract Store.Dialect expectedDialect();

    @BeforeEach
    void openStore() {
        dataSource = createDataSource();
        store = Store.open(dataSource, Clock.systemUTC());
    }

    @AfterEach
    void closeStore() {
        dev.switchboard.core.testing.TestDatabases.close(dataSource);
    }

    @Test
    void detectsItsDialect() {
        assertThat(store.dialect()).isEqualTo(expectedDialect());
    }

    @Test
    void migratingTwiceIsHarmless() {
        Store again = Store.open(dataSource, Clock.systemUTC());
        again.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion")));
        assertThat(store.inbox().count()).isEqualTo(1);
    }

    @Test
    void inboxStoresAnEventOncePerSourceAndId() {
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion");
        CanonicalEvent sameIdOtherSource = TestEvents.aliasSet("mlflow-dev", "d-1", "churn", "3", "champion");

        List<StoredEvent> first = store.inbox().append(List.of(event));
        List<StoredEvent> again = store.inbox().append(List.of(event, sameIdOtherSource));

        assertThat(first).hasSize(1);
        assertThat(again).extracting(StoredEvent::event).containsExactly(sameIdOtherSource);
        assertThat(store.inbox().count()).isEqualTo(2);
        assertThat(store.inbox().find(event.source(), "d-1")).get()
                .extracting(StoredEvent::event).isEqualTo(event);
    }

    @Test
    void inboxReadsInArrivalOrderFromAPosition() {
        for (int i = 1; i <= 5; i++) {
            store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-" + i, "churn", "" + i, "champion")));
        }
        List<StoredEvent> all = store.inbox().readAfter(0, 10);
        List<StoredEvent> tail = store.inbox().readAfter(all.get(1).seq(), 2);

        assertThat(all).extracting(s -> s.event().id()).containsExactly("d-1", "d-2", "d-3", "d-4", "d-5");
        assertThat(tail).extracting(s -> s.event().id()).containsExactly("d-3", "d-4");
        assertThat(store.inbox().lastSeq()).isEqualTo(all.get(4).seq());
    }

    @Test
    void theLatestEventsReadFromMemoryAsFromTheDatabaseAndAGapIsLeftToTheDatabase() {
        for (int i = 1; i <= 3; i++) {
            store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-" + i, "churn", "" + i, "champion")));
        }
        long first = store.inbox().readAfter(0, 10).get(0).seq();
        // Rolled back after taking a seq: the gap it leaves is not in memory, nor in the database.
        assertThatThrownBy(() -> store.transactions().executeWithoutResult(status -> {
            store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "rolled-back", "churn", "9", "x")));
            throw new IllegalStateException("roll back");
        })).hasMessage("roll back");
        store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-4", "churn", "4", "champion")));
        Store cold = Store.open(dataSource, Clock.systemUTC()); // nothing in its memory: the database answers

        List<StoredEvent> hot = store.inbox().readAfter(first - 1, 10);
        assertThat(hot).extracting(s -> s.event().id()).containsExactly("d-1", "d-2", "d-3");
        assertThat(cold.inbox().readAfter(first - 1, 10)).extracting(s -> s.event().id())
                .containsExactly("d-1", "d-2", "d-3", "d-4");
        assertThat(hot).containsExactlyElementsOf(cold.inbox().readAfter(first - 1, 3));
        assertThat(store.inbox().readAfter(hot.get(2).seq(), 10)).extracting(s -> s.event().id())
                .as("past the gap, from the database").containsExactly("d-4");
        assertThat(store.inbox().recent(hot.get(0).seq())).contains(hot.get(0));
        assertThat(cold.inbox().recent(hot.get(0).seq())).isEmpty();
    }

    @Test
    void theFirstAndLastInstantsTheModelAllowsAreStoredAndReadBackExactly() {
        CanonicalEvent earliest = at("earliest", CanonicalEvent.EARLIEST_TIME);
        CanonicalEvent latest = at("latest", CanonicalEvent.LATEST_TIME);
        store.inbox().append(List.of(earliest, latest));
        Store cold = Store.open(dataSource, Clock.systemUTC());

        assertThat(cold.inbox().readAfter(0, 10)).extracting(StoredEvent::event).containsExactly(earliest, latest);
        assertThat(store.jdbc().queryForObject("SELECT event_time FROM inbox_event WHERE event_id = 'earliest'",
                java.time.OffsetDateTime.class).toInstant()).isEqualTo(CanonicalEvent.EARLIEST_TIME);
    }

    @Test
    void aSourceFilterThatIsNoConnectionNameMatchesNothingInsteadOfFailing() {
        store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion")));

        for (String source : List.of("mlflow prod", "mlflow\"prod", "mlflow'prod", "%", "a/../b", "\u00e9")) {
            assertThat(store.inbox().search(new EventQuery(null, null, source, null, null, null), 10)).as(source).isEmpty();
        }
        assertThat(store.inbox().search(new EventQuery(null, null, "mlflow-prod", null, null, null), 10)).hasSize(1);
    }

    @Test
    void aRowThatCannotBeDecodedIsAnEntryWithItsReasonAndNoReadFailsOnIt() {
        store.jdbc().update("INSERT INTO inbox_event (source, event_id, type, subject, event_time, received_at, payload) "
                + "VALUES ('/connections/mlflow-prod', 'poison', 'model_version.alias_set', 'models/churn', "
                + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{\"specversion\":\"1.0\"')");
        CanonicalEvent good = TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion");
        store.inbox().append(List.of(good, TestEvents.aliasSet("mlflow-prod", "poison", "churn", "3", "x")));
        long poisoned = store.jdbc().queryForObject("SELECT seq FROM inbox_event WHERE event_id = 'poison'", Long.class);

        assertThat(store.inbox().count()).as("the poisoned key is a duplicate, not a failure").isEqualTo(2);
        assertThat(store.inbox().entry(poisoned)).get().isInstanceOfSatisfying(UnreadableEvent.class, row -> {
            assertThat(row.id()).isEqualTo("poison");
            assertThat(row.sourceConnection()).isEqualTo("mlflow-prod");
            assertThat(row.type()).isEqualTo("model_version.alias_set");
            assertThat(row.time()).isNotNull();
            assertThat(row.reason()).startsWith("EventFormatException: document is not valid JSON");
        });
        assertThat(store.inbox().get(poisoned)).isEmpty();
        assertThat(store.inbox().searchEntries(new EventQuery(null, null, null, null, null, null), 10)).hasSize(2);
        assertThat(store.inbox().search(new EventQuery(null, null, null, null, null, null), 10))
                .extracting(StoredEvent::event).containsExactly(good);
        assertThat(store.inbox().readAfter(0, 10)).extracting(StoredEvent::event).containsExactly(good);
    }

    private static CanonicalEvent at(String id, java.time.Instant time) {
        CanonicalEvent template = TestEvents.aliasSet("mlflow-prod", id, "churn", "3", "champion");
        return new CanonicalEvent(id, template.source(), template.type(), template.subject(), time, template.data());
    }

    @Test
    void concurrentAppendsOfTheSameEventStoreItOnce() throws Exception {
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "race", "churn", "1", "champion");
        AtomicInteger stored = new AtomicInteger();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tasks.add(() -> {
                stored.addAndGet(store.inbox().append(List.of(event)).size());
                return null;
            });
        }
        var pool = Executors.newFixedThreadPool(4);
        try {
            for (var future : pool.invokeAll(tasks)) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(stored).hasValue(1);
        assertThat(store.inbox().count()).isEqualTo(1);
    }

    @Test
    void anAppendWritesAnExecutionForEverySubscribedRouteThatWantsTheEventAndARollbackWritesNone() {
        store.executions().subscribe("promote", List.of("model_version.alias_set"), List.of("mlflow-prod"), false);
        store.executions().subscribe("audit", List.of(), List.of(), false);
        store.executions().subscribe("other-source", List.of(), List.of("mlflow-dev"), false);
        store.executions().subscribe("other-type", List.of("ci_run.finished"), List.of(), false);

        long seq = store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion")))
                .get(0).seq();
        try {
            store.transactions().executeWithoutResult(status -> {
                store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-2", "churn", "4", "champion")));
                throw new IllegalStateException("the webhook's transaction fails");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }

        assertThat(store.routeProgress().outcomes(seq)).containsExactly(
                new RouteProgress.Entry(seq, "audit", Outcome.PENDING, null, null),
                new RouteProgress.Entry(seq, "promote", Outcome.PENDING, null, null));
        assertThat(store.jdbc().queryForObject("SELECT COUNT(*) FROM route_execution", Integer.class)).isEqualTo(2);
    }

    @Test
    void aStoredEventInAnAppendIsSkippedAndTheRestOfTheTransactionStillCommitsWithTheOthersWork() {
        store.executions().subscribe("audit", List.of(), List.of(), false);
        store.syncTriggerEvents().subscribe(Map.of("mirror", new SyncTriggerEvents.Subscription("mlflow-prod",
                Set.of("model_version.alias_set"))));
        CanonicalEvent stored = TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "1", "champion");
        long first = store.inbox().append(List.of(stored)).get(0).seq();

        // One transaction, as a run's writes or a group commit share one: on PostgreSQL a failed insert of the stored
        // key would abort it, and the later append and the commit would fail with it.
        List<StoredEvent> added = store.transactions().execute(status -> {
            List<StoredEvent> all = new ArrayList<>(store.inbox().append(List.of(
                    TestEvents.aliasSet("mlflow-prod", "d-2", "churn", "2", "champion"), stored,
                    TestEvents.aliasSet("mlflow-prod", "d-3", "churn", "3", "champion"))));
            all.addAll(store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-4", "churn", "4", "champion"))));
            return all;
        });

        assertThat(added).extracting(s -> s.event().id()).containsExactly("d-2", "d-3", "d-4");
        assertThat(store.inbox().count()).isEqualTo(4);
        List<Long> seqs = new ArrayList<>(List.of(first));
        added.forEach(event -> seqs.add(event.seq()));
        for (long seq : seqs) {
            assertThat(store.executions().forEvent(seq)).as("the executions of %s", seq)
                    .extracting(RouteExecutions.Execution::routeId).containsExactly("audit");
        }
        assertThat(store.syncTriggerEvents().pending("mirror", 10)).as("one trigger per event, the stored one's once")
                .containsExactlyElementsOf(seqs);
    }

    @Test
    void anAppendThatViolatesAnotherKeyFailsInsteadOfTakingItsEventForAStoredOne() {
        long last = append("k-1", "churn", "1");
        // A row written past the append under the seq the identity hands out next (an import that kept its seqs).
        store.jdbc().update("INSERT INTO inbox_event (seq, source, event_id, type, subject, event_time, received_at, "
                + "payload) VALUES (?, '/connections/mlflow-prod', 'imported', 'model_version.alias_set', "
                + "'models/churn', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{}')", last + 1);
        CanonicalEvent event = TestEvents.aliasSet("mlflow-prod", "k-2", "fraud", "1", "champion");

        assertThatThrownBy(() -> store.inbox().append(List.of(event)))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(store.inbox().find(event.source(), "k-2")).isEmpty();
    }

    @Test
    void aClaimReturnsTheExecutionsAsItStoredThemOldestFirstAndNoMoreThanItsLimit() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        long a = append("c-1", "churn", "1");
        long b = append("c-2", "fraud", "1");
        append("c-3", "iris", "1");
        InstanceId one = InstanceId.newStart(null);
        InstanceId two = InstanceId.newStart(null);

        List<RouteExecutions.Execution> lapsed = store.executions().claim("promote", one,
                java.time.Duration.ofSeconds(-1), 2);
        List<RouteExecutions.Execution> taken = store.executions().claim("promote", two,
                java.time.Duration.ofSeconds(30), 2);

        assertThat(lapsed).extracting(RouteExecutions.Execution::eventSeq).containsExactly(a, b);
        assertThat(taken).extracting(RouteExecutions.Execution::eventSeq).as("taken over once the lease ran out")
                .containsExactly(a, b);
        for (RouteExecutions.Execution claimed : taken) {
            assertThat(claimed).isEqualTo(store.executions().find(claimed.id()).orElseThrow());
            assertThat(claimed.status()).isEqualTo(RouteExecutions.Status.RUNNING);
            assertThat(claimed.holder()).isEqualTo(two.holder());
            assertThat(claimed.runs()).as("claimed twice").isEqualTo(2);
            assertThat(claimed.claimId()).isNotEqualTo(lapsed.get(0).claimId()).isNotNull();
        }
    }

    @Test
    void aRouteStartingAtTheBeginningGetsExecutionsForPastEventsOnce() {
        long first = store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion")))
                .get(0).seq();
        assertThat(store.executions().subscribe("late", List.of(), List.of("mlflow-prod"), true)).isEqualTo(1);
        assertThat(store.executions().subscribe("late", List.of(), List.of("mlflow-prod"), true)).isZero();
        assertThat(store.executions().subscribe("from-now", List.of(), List.of("mlflow-prod"), false)).isZero();

        assertThat(store.routeProgress().outcomes(first)).extracting(RouteProgress.Entry::routeId).containsExactly("late");
    }

    @Test
    void executionsOfOneSubjectAreClaimedInOrderAndARunEndsOnlyUnderItsClaim() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        long a1 = append("d-1", "churn", "3");
        long b1 = append("d-2", "fraud", "1");
        long a2 = append("d-3", "churn", "3");
        InstanceId one = InstanceId.newStart(null);
        InstanceId two = InstanceId.newStart(null);
        java.time.Duration lease = java.time.Duration.ofSeconds(30);

        List<RouteExecutions.Execution> first = store.executions().claim("promote", one, lease, 10);
        assertThat(first).extracting(RouteExecutions.Execution::eventSeq).as("a2 waits for a1").containsExactly(a1, b1);
        assertThat(store.executions().claim("promote", two, lease, 10)).as("nothing left to claim").isEmpty();

        RouteExecutions.Execution churn = first.get(0);
        assertThat(store.executions().finish(churn, RouteExecutions.Status.WAITING, 1, 42L, null)).isTrue();
        assertThat(store.executions().claim("promote", two, lease, 10)).as("a1 waits: unfinished").isEmpty();
        assertThat(store.executions().resume("promote", a1, 42L)).isTrue();
        RouteExecutions.Execution resumed = store.executions().claim("promote", two, lease, 10).get(0);
        assertThat(resumed.eventSeq()).isEqualTo(a1);
        assertThat(store.executions().finish(churn, RouteExecutions.Status.DONE, null, null, null))
                .as("the old claim no longer holds").isFalse();
        assertThat(store.executions().finish(resumed, RouteExecutions.Status.DONE, null, null, null)).isTrue();
        assertThat(store.executions().claim("promote", one, lease, 10)).extracting(RouteExecutions.Execution::eventSeq)
                .containsExactly(a2);
    }

    @Test
    void anEarlierExecutionCommittedWhileALaterOneOfItsSubjectRunsWaitsForIt() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        long a1 = append("o-1", "churn", "3");
        long a2 = append("o-2", "churn", "3");
        InstanceId one = InstanceId.newStart(null);
        InstanceId two = InstanceId.newStart(null);
        java.time.Duration lease = java.time.Duration.ofSeconds(30);
        RouteExecutions.Execution first = store.executions().claim("promote", one, lease, 10).get(0);
        assertThat(store.executions().finish(first, RouteExecutions.Status.DONE, null, null, null)).isTrue();
        RouteExecutions.Execution later = store.executions().claim("promote", one, lease, 10).get(0);
        assertThat(later.eventSeq()).isEqualTo(a2);
        // a1 runnable while a2 runs: as when a1's append, on another instance, committed after a2 was claimed.
        assertThat(store.executions().replay("promote", a1)).isTrue();

        assertThat(store.executions().claim("promote", two, lease, 10)).as("a1 waits while a2 runs").isEmpty();
        assertThat(store.executions().finish(later, RouteExecutions.Status.WAITING, 1, 42L, null)).isTrue();
        assertThat(store.executions().claim("promote", two, lease, 10)).as("and while a2 waits on its step").isEmpty();
        assertThat(store.executions().resume("promote", a2, 42L)).isTrue();
        assertThat(store.executions().claim("promote", two, lease, 10)).extracting(RouteExecutions.Execution::eventSeq)
                .as("then a1 goes first, and a2 after it").containsExactly(a1);
    }

    @Test
    void anEarlierExecutionIsNotHeldBackByALaterOneWhoseLeaseRanOut() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        long a1 = append("p-1", "churn", "3");
        long a2 = append("p-2", "churn", "3");
        InstanceId dead = InstanceId.newStart("hub-0");
        RouteExecutions.Execution first = store.executions().claim("promote", dead, java.time.Duration.ofSeconds(30),
                10).get(0);
        assertThat(store.executions().finish(first, RouteExecutions.Status.DONE, null, null, null)).isTrue();
        assertThat(store.executions().claim("promote", dead, java.time.Duration.ofSeconds(-1), 10))
                .extracting(RouteExecutions.Execution::eventSeq).containsExactly(a2);
        assertThat(store.executions().replay("promote", a1)).isTrue();

        assertThat(store.executions().claim("promote", InstanceId.newStart("hub-1"), java.time.Duration.ofSeconds(30),
                10)).extracting(RouteExecutions.Execution::eventSeq).as("a1 first; a2, taken over, after it")
                .containsExactly(a1);
    }

    @Test
    void theSweepMovesOnARoutesExecutionsWaitingOnADeliveryThatEndedBeforeTheWaitCommitted() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        store.executions().subscribe("audit", List.of(), List.of(), false);
        append("s-1", "churn", "1");
        append("s-2", "fraud", "1");
        InstanceId one = InstanceId.newStart(null);
        java.time.Duration lease = java.time.Duration.ofSeconds(30);
        List<RouteExecutions.Execution> promote = store.executions().claim("promote", one, lease, 10);
        RouteExecutions.Execution audit = store.executions().claim("audit", one, lease, 1).get(0);
        // Each waits on a delivery whose outcome committed before its WAITING did (no resume reached it).
        long delivered = delivery("sweep-delivered", "DELIVERED");
        long dead = delivery("sweep-dead", "DEAD");
        assertThat(store.executions().finish(promote.get(0), RouteExecutions.Status.WAITING, 1, delivered, null))
                .isTrue();
        assertThat(store.executions().finish(promote.get(1), RouteExecutions.Status.WAITING, 1, dead, null)).isTrue();
        assertThat(store.executions().finish(audit, RouteExecutions.Status.WAITING, 1, delivered, null)).isTrue();

        assertThat(store.executions().sweep("promote")).isEqualTo(2);

        assertThat(store.executions().find(promote.get(0).id()).orElseThrow().status())
                .isEqualTo(RouteExecutions.Status.PENDING);
        RouteExecutions.Execution died = store.executions().find(promote.get(1).id()).orElseThrow();
        assertThat(died.status()).isEqualTo(RouteExecutions.Status.DEAD);
        assertThat(died.detail()).isEqualTo("the tool said no");
        assertThat(store.executions().find(audit.id()).orElseThrow().status()).as("another route's, left to it")
                .isEqualTo(RouteExecutions.Status.WAITING);
        assertThat(store.executions().sweep("promote")).as("nothing left to repair").isZero();
    }

    /** An outbox delivery that has reached {@code status}; its id. */
    private long delivery(String key, String status) {
        var jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO outbox_delivery (idempotency_key, connection_name, operation, parameters, subject, "
                + "status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES (?, 'ci', 'run', "
                + "'{}', 'churn', ?, 1, CURRENT_TIMESTAMP, 'the tool said no', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                key, status);
        return jdbc.queryForObject("SELECT id FROM outbox_delivery WHERE idempotency_key = ?", Long.class, key);
    }

    @Test
    void aHeartbeatRenewsOnlyTheRunsInProgressThatTheInstanceStillHolds() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        append("h-1", "churn", "1");
        append("h-2", "fraud", "1");
        append("h-3", "iris", "1");
        InstanceId one = InstanceId.newStart(null);
        InstanceId two = InstanceId.newStart(null);
        java.time.Duration lease = java.time.Duration.ofSeconds(30);
        List<RouteExecutions.Execution> mine = store.executions().claim("promote", one, lease, 2);
        RouteExecutions.Execution running = mine.get(0);
        RouteExecutions.Execution ended = mine.get(1); // its run ended without recording it (the store failed)
        RouteExecutions.Execution theirs = store.executions().claim("promote", two, lease, 1).get(0);

        assertThat(store.executions().renew(List.of(running.id(), theirs.id()), one, java.time.Duration.ofHours(1)))
                .as("only the run in progress that this instance holds").isEqualTo(1);
        java.time.Instant soon = java.time.Instant.now().plus(java.time.Duration.ofMinutes(5));
        assertThat(store.executions().find(running.id()).orElseThrow().leaseUntil()).isAfter(soon);
        assertThat(store.executions().find(ended.id()).orElseThrow().leaseUntil())
                .as("runs out, so the execution is claimed again").isBefore(soon);
        assertThat(store.executions().find(theirs.id()).orElseThrow().leaseUntil()).isBefore(soon);
        assertThat(store.executions().renew(List.of(), one, lease)).isZero();
    }

    @Test
    void aRunsWritesAreStoredWithItsEndAndNoneOfThemWhenItsClaimWasLost() {
        store.executions().subscribe("promote", List.of(), List.of(), false);
        append("w-1", "churn", "1");
        append("w-2", "fraud", "1");
        InstanceId one = InstanceId.newStart(null);
        InstanceId two = InstanceId.newStart(null);
        // One's lease has run out as soon as it is taken: two takes both executions over.
        List<RouteExecutions.Execution> lost = store.executions().claim("promote", one, java.time.Duration.ofSeconds(-1),
                2);
        List<RouteExecutions.Execution> held = store.executions().claim("promote", two, java.time.Duration.ofSeconds(30),
                2);
        assertThat(lost).hasSize(2);
        assertThat(held).hasSize(2);

        CanonicalEvent staleAppend = TestEvents.aliasSet("mlflow-prod", "w-stale", "churn", "2", "champion");
        RunWrites stale = new RunWrites();
        store.inbox().appendWith(List.of(staleAppend), stale);
        stale.add(() -> stale.inserted("step-key", 41L));
        assertThat(store.executions().finish(lost.get(0), stale, new RouteExecutions.RunEnd(
                RouteExecutions.Status.WAITING, 1, null, "step-key", false, null))).isFalse();
        assertThat(store.inbox().find(staleAppend.source(), "w-stale")).as("the stale run's append").isEmpty();

        CanonicalEvent append = TestEvents.aliasSet("mlflow-prod", "w-new", "churn", "2", "champion");
        RunWrites writes = new RunWrites();
        store.inbox().appendWith(List.of(append), writes);
        writes.add(() -> writes.inserted("step-key", 42L));
        assertThat(store.inbox().find(append.source(), "w-new")).as("stored only with the run's end").isEmpty();
        assertThat(store.executions().finish(held.get(0), writes, new RouteExecutions.RunEnd(
                RouteExecutions.Status.WAITING, 1, null, "step-key", false, null))).isTrue();
        assertThat(store.inbox().find(append.source(), "w-new")).isPresent();
        RouteExecutions.Execution waiting = store.executions().find(held.get(0).id()).orElseThrow();
        assertThat(waiting.status()).isEqualTo(RouteExecutions.Status.WAITING);
        assertThat(waiting.waitingOn()).as("the delivery the writes stored").isEqualTo(42L);
        assertThat(store.executions().finish(held.get(1), new RunWrites(),
                new RouteExecutions.RunEnd(RouteExecutions.Status.DONE, null))).isTrue();
    }

    private long append(String id, String model, String version) {
        return store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", id, model, version, "champion")))
                .get(0).seq();
    }

    @Test
    void identityMapLinksAndMovesATarget() {
        ResourceRef source = ResourceRef.of("mlflow", "mlflow-prod", "model_version", "churn/3");
        ResourceRef target = ResourceRef.of("sagemaker", "sm-prod", "model_version", "arn:aws:sagemaker:1");
        ResourceRef moved = ResourceRef.of("sagemaker", "sm-prod", "model_version", "arn:aws:sagemaker:2");

        assertThat(store.identityMap().find(source, "sm-prod")).isEmpty();
        store.identityMap().link(source, target, "f1");
        store.identityMap().link(source, moved, "f2");

        assertThat(store.identityMap().find(source, "sm-prod")).contains(
                new IdentityMap.Link(source.key(), "sm-prod", "model_version", "arn:aws:sagemaker:2", "f2"));
    }

    @Test
    void cursorsAreSavedAndOverwritten() {
        assertThat(store.cursors().get("sync:mlflow-to-sm")).isEmpty();
        store.cursors().save("sync:mlflow-to-sm", "1700000000000");
        store.cursors().save("sync:mlflow-to-sm", "1700000000500");
        assertThat(store.cursors().get("sync:mlflow-to-sm")).contains("1700000000500");
    }
}
