package dev.switchboard.core.poll;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.WorkLeases;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.spi.ConnectorException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's pollers against a real store, run on each engine by a subclass. Time moves only on the test's clock
 * and polls run inside {@link PollScheduler#tick} (or when the test runs them), so nothing here waits for time.
 */
abstract class PollSchedulerContractTest {

    private static final String CONNECTION = "mlflow-old";
    private static final Duration INTERVAL = Duration.ofSeconds(60);
    private static final PollScheduler.Settings SETTINGS = PollScheduler.Settings.DEFAULTS;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final ScriptedEventSource tool = new ScriptedEventSource(CONNECTION);
    private DataSource dataSource;
    private Store store;

    protected abstract DataSource createDataSource();

    @BeforeEach
    void openStore() {
        dataSource = createDataSource();
        store = Store.open(dataSource, clock);
    }

    @AfterEach
    void closeStore() {
        TestDatabases.close(dataSource);
    }

    @Test
    void theFirstPollStartsFromNowAndEachLaterPollStoresWhatChangedThenMovesTheCursor() {
        tool.change("churn", "1");
        PollScheduler instance = scheduler(Runnable::run);

        instance.tick();
        tool.change("churn", "2").change("fraud", "1");
        instance.tick();
        clock.advance(INTERVAL);
        instance.tick();

        assertThat(tool.askedFrom()).containsExactly("null", "1");
        assertThat(ids(store.inbox().readAfter(0, 10))).containsExactly("change-1", "change-2");
        assertThat(cursor()).isEqualTo("3");
        assertThat(instance.status().get(CONNECTION).holding()).isTrue();
    }

    @Test
    void whenTheInboxAppendFailsTheCursorStaysAndTheNextPollRepeatsFromIt() {
        PollScheduler instance = scheduler(Runnable::run);
        instance.tick();
        tool.change("churn", "1").change("poison", "1");
        // A real database failure: the batch is stored all or none, so neither event is.
        store.jdbc().execute("ALTER TABLE inbox_event ADD CONSTRAINT no_poison CHECK (subject <> "
                + "'models/poison/versions/1')");
        clock.advance(INTERVAL);

        instance.tick();

        assertThat(store.inbox().count()).isZero();
        assertThat(cursor()).isEqualTo("0");
        assertThat(instance.status().get(CONNECTION).failures()).isEqualTo(1);
        assertThat(instance.status().get(CONNECTION).lastError()).containsIgnoringCase("no_poison");

        store.jdbc().execute("ALTER TABLE inbox_event DROP CONSTRAINT no_poison");
        clock.advance(INTERVAL);
        instance.tick();
        clock.advance(INTERVAL);
        instance.tick();

        assertThat(tool.askedFrom()).containsExactly("null", "0", "0", "2");
        assertThat(ids(store.inbox().readAfter(0, 10))).containsExactly("change-0", "change-1");
        assertThat(cursor()).isEqualTo("2");
        assertThat(instance.status().get(CONNECTION).failures()).isZero();
    }

    @Test
    void aPollRepeatedFromAnOldCursorStoresNothingTwice() {
        PollScheduler instance = scheduler(Runnable::run);
        instance.tick();
        tool.change("churn", "1").change("churn", "2");
        clock.advance(INTERVAL);
        instance.tick();
        // As after a crash between the inbox commit and the cursor save.
        store.cursors().save(PollScheduler.cursorName(CONNECTION), "0");

        clock.advance(INTERVAL);
        instance.tick();

        assertThat(tool.askedFrom()).containsExactly("null", "0", "0");
        assertThat(store.inbox().count()).isEqualTo(2);
        assertThat(cursor()).isEqualTo("2");
    }

    @Test
    void aFailingConnectionIsRetriedWithGrowingWaitsAndRecovers() {
        PollScheduler instance = scheduler(Runnable::run);
        instance.tick();
        tool.failWith(ConnectorException.transientFailure(CONNECTION, "MLflow answered 503", null));

        List<Duration> waits = new java.util.ArrayList<>();
        for (int failure = 1; failure <= 4; failure++) {
            Instant due = instance.status().get(CONNECTION).nextPollAt();
            clock.advance(Duration.between(clock.instant(), due).minusSeconds(1));
            int before = tool.pollCount();
            instance.tick();
            assertThat(tool.pollCount()).as("not polled before it is due").isEqualTo(before);
            clock.advance(Duration.ofSeconds(1));
            instance.tick();
            assertThat(tool.pollCount()).isEqualTo(before + 1);
            waits.add(Duration.between(clock.instant(), instance.status().get(CONNECTION).nextPollAt()));
        }
        assertThat(waits).containsExactly(INTERVAL, INTERVAL.multipliedBy(2), INTERVAL.multipliedBy(4),
                INTERVAL.multipliedBy(8));
        assertThat(instance.status().get(CONNECTION).failures()).isEqualTo(4);
        assertThat(instance.status().get(CONNECTION).lastError()).contains("MLflow answered 503");

        tool.failWith(null).change("churn", "1");
        clock.advance(INTERVAL.multipliedBy(8));
        instance.tick();

        assertThat(instance.status().get(CONNECTION).failures()).isZero();
        assertThat(store.inbox().count()).isEqualTo(1);
        assertThat(Duration.between(clock.instant(), instance.status().get(CONNECTION).nextPollAt()))
                .isEqualTo(INTERVAL);
    }

    @Test
    void backoffStopsGrowingAtTheLongestWait() {
        PollScheduler instance = new PollScheduler(store, InstanceId.newStart(null),
                List.of(new PollScheduler.Target(CONNECTION, tool, INTERVAL)),
                new PollScheduler.Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(3)),
                Runnable::run, clock);
        tool.failWith(new IllegalStateException("boom"));
        for (int failure = 1; failure <= 5; failure++) {
            clock.advance(Duration.between(clock.instant(), instance.status().get(CONNECTION).nextPollAt()));
            instance.tick();
        }

        assertThat(tool.pollCount()).isEqualTo(5);
        assertThat(Duration.between(clock.instant(), instance.status().get(CONNECTION).nextPollAt()))
                .isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void ofTwoInstancesOnOneStoreOnlyOnePollsAConnection() {
        ScriptedEventSource seenBySecond = new ScriptedEventSource(CONNECTION);
        PollScheduler first = scheduler(Runnable::run);
        PollScheduler second = scheduler(seenBySecond, Runnable::run);

        for (int round = 0; round < 10; round++) {
            tool.change("churn", Integer.toString(round));
            first.tick();
            second.tick();
            clock.advance(Duration.ofSeconds(20));
        }

        assertThat(tool.pollCount()).isGreaterThanOrEqualTo(3);
        assertThat(seenBySecond.pollCount()).isZero();
        assertThat(first.status().get(CONNECTION).holding()).isTrue();
        assertThat(second.status().get(CONNECTION).holding()).isFalse();
    }

    @Test
    void whenTheHolderStopsRenewingAnotherInstanceTakesOverWhenTheLeaseRunsOutAndTheOldOneStandsDown() {
        ScriptedEventSource seenBySecond = new ScriptedEventSource(CONNECTION);
        PollScheduler first = scheduler(Runnable::run);
        PollScheduler second = scheduler(seenBySecond, Runnable::run);
        first.tick();
        // second stands by out of step with first's heartbeats, as two instances started apart do.
        clock.advance(Duration.ofSeconds(2));
        second.tick();
        clock.advance(SETTINGS.heartbeat().minusSeconds(2));
        first.tick(); // renews
        Instant died = clock.instant();
        // first dies here: it ticks no more, so it renews no more. second ticks every second, as in production.

        while (seenBySecond.pollCount() == 0 && clock.instant().isBefore(died.plus(Duration.ofMinutes(5)))) {
            clock.advance(Duration.ofSeconds(1));
            second.tick();
        }

        Duration takeover = Duration.between(died, clock.instant());
        // Not a heartbeat late: a standby that only tried every heartbeat took over 2 s after the lease ran out here.
        assertThat(takeover).as("at the tick the lease runs out").isEqualTo(SETTINGS.lease());
        assertThat(takeover).isLessThanOrEqualTo(WorkLeases.DEFAULT_TAKEOVER);
        assertThat(seenBySecond.askedFrom()).as("polled at once, from the saved cursor").containsExactly("0");

        // first comes back (a long GC pause, not a death): its renewal fails and it does not poll.
        int firstPolls = tool.pollCount();
        clock.advance(INTERVAL);
        second.tick();
        first.tick();
        assertThat(tool.pollCount()).isEqualTo(firstPolls);
        assertThat(first.status().get(CONNECTION).holding()).isFalse();
        assertThat(seenBySecond.pollCount()).isEqualTo(2);
    }

    @Test
    void aStoppedInstanceHandsItsConnectionsOverAtOnce() {
        ScriptedEventSource seenBySecond = new ScriptedEventSource(CONNECTION);
        PollScheduler first = scheduler(Runnable::run);
        PollScheduler second = scheduler(seenBySecond, Runnable::run);
        first.tick();

        first.stop();
        second.tick();

        assertThat(seenBySecond.pollCount()).isEqualTo(1);
        assertThat(store.leases().find(PollScheduler.leaseName(CONNECTION)).orElseThrow().holder())
                .isEqualTo(secondInstance.holder());
    }

    @Test
    void aLongPollKeepsItsLeaseByHeartbeatAndIsNotStartedTwice() {
        ManualExecutor later = new ManualExecutor();
        ScriptedEventSource seenBySecond = new ScriptedEventSource(CONNECTION);
        PollScheduler first = scheduler(later);
        PollScheduler second = scheduler(seenBySecond, Runnable::run);
        first.tick();
        later.runAll();
        tool.change("churn", "1");
        clock.advance(INTERVAL);
        first.tick();
        assertThat(later.pending()).as("the poll is in progress").isEqualTo(1);

        for (int beat = 0; beat < 6; beat++) {
            clock.advance(SETTINGS.heartbeat());
            first.tick();
            second.tick();
        }
        assertThat(later.pending()).as("no second poll while one runs").isEqualTo(1);
        assertThat(seenBySecond.pollCount()).as("renewed while in progress, so not taken over").isZero();

        later.runAll();
        assertThat(store.inbox().count()).isEqualTo(1);
        assertThat(cursor()).isEqualTo("1");
    }

    @Test
    void aPollThatLostItsLeaseMeanwhileStoresItsEventsButLeavesTheCursorToTheNewHolder() {
        ScriptedEventSource seenBySecond = new ScriptedEventSource(CONNECTION);
        PollScheduler first = scheduler(Runnable::run);
        PollScheduler second = scheduler(seenBySecond, Runnable::run);
        first.tick();
        tool.change("churn", "1");
        seenBySecond.change("churn", "1").change("churn", "2");
        // first's poll stalls past its lease; second takes over and polls further meanwhile.
        tool.duringPoll(cursor -> {
            clock.advance(SETTINGS.lease().plusSeconds(1));
            second.tick();
        });
        clock.advance(INTERVAL);

        first.tick();

        assertThat(seenBySecond.askedFrom()).containsExactly("0");
        assertThat(cursor()).as("second's cursor, not moved back by first").isEqualTo("2");
        assertThat(ids(store.inbox().readAfter(0, 10))).containsExactly("change-0", "change-1");
        assertThat(first.status().get(CONNECTION).lastError()).contains("lost its lease");
    }

    @Test
    void eventsOfAnotherSourceAreRefusedAndTheCursorStays() {
        ScriptedEventSource impostor = new ScriptedEventSource("someone-else");
        PollScheduler instance = scheduler(impostor, Runnable::run);
        instance.tick();
        impostor.change("churn", "1");
        clock.advance(INTERVAL);

        instance.tick();

        assertThat(store.inbox().count()).isZero();
        assertThat(cursor()).isEqualTo("0");
        assertThat(instance.status().get(CONNECTION).lastError()).contains("change-0").contains("someone-else");
    }

    @Test
    void aSlowConnectionDoesNotHoldUpAnother() throws Exception {
        ScriptedEventSource slow = new ScriptedEventSource("slow");
        ScriptedEventSource fast = new ScriptedEventSource("fast");
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            PollScheduler instance = new PollScheduler(store, InstanceId.newStart(null), List.of(
                    new PollScheduler.Target("slow", slow, INTERVAL), new PollScheduler.Target("fast", fast, INTERVAL)),
                    SETTINGS, threads, clock);
            instance.tick();
            awaitCompletedPolls(instance, "slow", 1);
            awaitCompletedPolls(instance, "fast", 1);
            slow.duringPoll(cursor -> await(release));
            fast.change("churn", "1");
            slow.change("churn", "1");
            clock.advance(INTERVAL);

            instance.tick();
            awaitCompletedPolls(instance, "fast", 2);

            assertThat(store.inbox().count()).as("fast stored while slow hangs").isEqualTo(1);
            assertThat(slow.pollCount()).isEqualTo(2);
            assertThat(instance.status().get("slow").polls()).isEqualTo(1);
            release.countDown();
            awaitCompletedPolls(instance, "slow", 2);
            assertThat(store.inbox().count()).isEqualTo(2);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    private InstanceId secondInstance;

    private PollScheduler scheduler(Executor pollThreads) {
        return scheduler(tool, pollThreads);
    }

    private PollScheduler scheduler(ScriptedEventSource source, Executor pollThreads) {
        InstanceId instance = InstanceId.newStart(null);
        if (source != tool) {
            secondInstance = instance;
        }
        return new PollScheduler(store, instance, List.of(new PollScheduler.Target(CONNECTION, source, INTERVAL)),
                SETTINGS, pollThreads, clock);
    }

    private String cursor() {
        return store.cursors().get(PollScheduler.cursorName(CONNECTION)).orElse(null);
    }

    private static List<String> ids(List<StoredEvent> events) {
        return events.stream().map(stored -> stored.event().id()).toList();
    }

    /** Waits, up to a deadline, until {@code connection} finished {@code polls} polls on {@code instance}. */
    private static void awaitCompletedPolls(PollScheduler instance, String connection, long polls)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (instance.status().get(connection).polls() < polls && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(instance.status().get(connection).polls()).as("completed polls of " + connection)
                .isGreaterThanOrEqualTo(polls);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the slow poll");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs what it is given only when the test says: a poll "in progress" for as long as the test likes. */
    private static final class ManualExecutor implements Executor {

        private final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable command) {
            queued.add(command);
        }

        synchronized int pending() {
            return queued.size();
        }

        void runAll() {
            Runnable next;
            while ((next = poll()) != null) {
                next.run();
            }
        }

        private synchronized Runnable poll() {
            return queued.poll();
        }
    }
}
