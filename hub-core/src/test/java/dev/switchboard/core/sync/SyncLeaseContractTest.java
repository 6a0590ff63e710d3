package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.registry;
import static dev.switchboard.core.sync.SyncHarness.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync runs and triggers under leases, with two hub instances on one database, run against each supported engine
 * by a subclass. Leases last 3 h on the test's clock and heartbeats are called by the test, so nothing here depends on
 * how long anything takes.
 */
abstract class SyncLeaseContractTest {

    private static final String JOB = "a-to-b";
    private static final SyncService.Settings SETTINGS = new SyncService.Settings(Duration.ofHours(3),
            Duration.ofHours(1));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final InstanceId first = InstanceId.newStart("hub-0");
    private final InstanceId second = InstanceId.newStart("hub-1");
    private SyncHarness hub;
    private SyncService one;
    private SyncService two;
    private InMemoryRegistry source;
    private InMemoryRegistry target;

    protected abstract DataSource createDataSource();

    @BeforeEach
    void openTwoInstances() {
        hub = SyncHarness.fresh(createDataSource())
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of(JOB, "a", "b").withPageSize(10)
                        .withTrigger(new SyncJobSpec.Trigger(null, Set.of("model_version.alias_set"))));
        source = registry("a");
        target = registry("b");
        seed(source, "a", 4, 10);
        one = hub.instance(first, SETTINGS, clock);
        two = hub.instance(second, SETTINGS, clock);
    }

    @AfterEach
    void close() {
        one.close();
        two.close();
        hub.close();
    }

    @Test
    void aLiveRunIsRenewedAndNeitherAbortedNorRunAgainByAnotherInstance() throws Exception {
        Pause pause = new Pause(() -> { });
        CompletableFuture<SyncReport> running = CompletableFuture.supplyAsync(() -> one.apply(JOB));
        pause.awaitReached();

        // Past the first lease, but renewed in between: the instance is alive.
        clock.advance(Duration.ofHours(2));
        one.heartbeat();
        clock.advance(Duration.ofHours(2));
        Optional<SyncReport> overlapping = two.tryApply(JOB, SyncService.Scope.INCREMENTAL);
        int aborted = new SyncRunStore(hub.store()).abortStale(JOB, second, clock.instant());
        String statusWhileRunning = onlyRun().status().name();
        pause.resume();
        SyncReport finished = running.get(30, TimeUnit.SECONDS);

        assertThat(overlapping).as("no second run while the first one's instance lives").isEmpty();
        assertThat(aborted).isZero();
        assertThat(statusWhileRunning).isEqualTo("RUNNING");
        assertThat(finished.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(finished.run().created()).isEqualTo(40);
        assertThat(target.versionCount()).isEqualTo(40);
    }

    @Test
    void aDeadInstancesRunIsAbortedOnlyOnceItsLeaseRanOutAndTheJobIsTakenOver() {
        // What an instance killed mid-run leaves: the job's lease and a RUNNING run, neither renewed any more.
        Store store = one.store(); // on the test's clock
        store.leases().tryAcquire(SyncService.leaseName(JOB), first, SETTINGS.lease()).orElseThrow();
        new SyncRunStore(store).start(new SyncRun("dead-run", JOB, SyncRun.Mode.APPLY, SyncRun.Status.RUNNING,
                clock.instant(), null, 0, 0, 0, 0, 0, null), first, clock.instant().plus(SETTINGS.lease()));

        clock.advance(SETTINGS.lease().minusSeconds(1));
        Optional<SyncReport> tooEarly = two.tryApply(JOB, SyncService.Scope.INCREMENTAL);
        String statusBeforeExpiry = runStatus("dead-run");
        clock.advance(Duration.ofSeconds(1));
        Optional<SyncReport> takenOver = two.tryApply(JOB, SyncService.Scope.INCREMENTAL);

        assertThat(tooEarly).isEmpty();
        assertThat(statusBeforeExpiry).isEqualTo("RUNNING");
        assertThat(runStatus("dead-run")).isEqualTo("ABORTED");
        assertThat(takenOver).get().satisfies(report -> {
            assertThat(report.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
            assertThat(report.run().created()).isEqualTo(40);
        });
    }

    @Test
    void aRestartedNodeTakesItsPredecessorsJobAndRunOverAtOnce() {
        Store store = one.store(); // on the test's clock
        store.leases().tryAcquire(SyncService.leaseName(JOB), first, SETTINGS.lease()).orElseThrow();
        new SyncRunStore(store).start(new SyncRun("killed-run", JOB, SyncRun.Mode.APPLY, SyncRun.Status.RUNNING,
                clock.instant(), null, 0, 0, 0, 0, 0, null), first, clock.instant().plus(SETTINGS.lease()));
        SyncService restarted = hub.instance(InstanceId.newStart(first.node()), SETTINGS, clock);

        Optional<SyncReport> report = restarted.tryApply(JOB, SyncService.Scope.INCREMENTAL);

        assertThat(report).get().extracting(r -> r.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(runStatus("killed-run")).isEqualTo("ABORTED");
        restarted.close();
    }

    @Test
    void anInstanceThatLostTheJobsLeaseStopsItsRunAtTheNextObject() throws Exception {
        Pause pause = new Pause(() -> { });
        CompletableFuture<SyncReport> running = CompletableFuture.supplyAsync(() -> one.apply(JOB));
        pause.awaitReached();

        // The instance stalls past its lease; another takes the job over meanwhile.
        clock.advance(SETTINGS.lease().plusSeconds(1));
        two.store().leases().tryAcquire(SyncService.leaseName(JOB), second, SETTINGS.lease()).orElseThrow();
        one.heartbeat();
        pause.resume();
        SyncReport stopped = running.get(30, TimeUnit.SECONDS);

        assertThat(stopped.run().status()).isEqualTo(SyncRun.Status.ABORTED);
        assertThat(stopped.run().error()).contains("another instance took the job over");
        assertThat(hub.store().cursors().get(SyncRunner.cursorName(JOB))).isEmpty();
    }

    @Test
    void anEventReceivedByAnotherInstanceRunsTheJobWhereItsTriggerIsHeld() {
        SyncTriggers triggersOne = new SyncTriggers(one, Runnable::run, clock);
        try {
            triggersOne.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> triggersOne.holds(JOB));

            // The webhook reached the second instance: only its own process hears of the append.
            two.store().inbox().append(List.of(TestEvents.aliasSet("a", "e-9", "model-000", "1", "champion")));

            await().atMost(Duration.ofSeconds(30)).until(() -> runs().size() == 1
                    && runs().get(0).status() == SyncRun.Status.COMPLETED);
            assertThat(runs().get(0).created()).isEqualTo(40);
        } finally {
            triggersOne.close();
        }
    }

    @Test
    void oneInstanceTriggersAJobAndEventsRunItOnceThereUntilItDiesAndTheOtherTakesOver() {
        SyncTriggers triggersOne = new SyncTriggers(one, Runnable::run, clock);
        SyncTriggers triggersTwo = new SyncTriggers(two, Runnable::run, clock);
        triggersOne.tick();
        triggersTwo.tick();
        hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "e-1", "model-000", "1", "champion"),
                TestEvents.aliasSet("a", "e-2", "model-001", "1", "champion")));

        for (SyncTriggers triggers : List.of(triggersOne, triggersTwo)) {
            triggers.tick();
        }
        List<SyncRun> afterEvents = runs();
        // The first instance dies (no more ticks); the second takes its trigger once the lease ran out.
        clock.advance(SETTINGS.lease().plus(SETTINGS.heartbeat()));
        triggersTwo.tick();
        List<SyncRun> atTakeover = runs();
        hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "e-3", "model-002", "1", "champion")));
        triggersTwo.tick();

        assertThat(triggersTwo.holds(JOB)).isTrue();
        assertThat(afterEvents).singleElement().satisfies(run -> assertThat(run.created()).isEqualTo(40));
        assertThat(atTakeover).as("the first instance ran for e-1 and e-2 already").hasSize(1);
        // One more run, on the second instance, for e-3.
        assertThat(runs()).hasSize(2).allSatisfy(run -> assertThat(run.status()).isEqualTo(SyncRun.Status.COMPLETED));
        assertThat(runs().get(0).created()).as("a later run finds everything made").isZero();
        assertThat(target.versionCount()).isEqualTo(40);
    }

    @Test
    void aTriggerTakenOverBeforeTheDeadInstancesRunRanOutRedoesTheRunOnceItsLeaseRunsOut() {
        Instant start = clock.instant();
        SyncTriggers triggersOne = new SyncTriggers(one, Runnable::run, clock);
        SyncTriggers triggersTwo = new SyncTriggers(two, Runnable::run, clock);
        triggersOne.tick();
        clock.advance(Duration.ofMinutes(30));
        triggersTwo.tick(); // stands by
        clock.advance(Duration.ofMinutes(30));
        triggersOne.tick(); // renews the trigger: it runs out at 4 h
        clock.advance(Duration.ofMinutes(30));
        // At 1.5 h the first instance starts a run (its job lease and the run's run out at 4.5 h) and dies.
        Store store = one.store();
        store.leases().tryAcquire(SyncService.leaseName(JOB), first, SETTINGS.lease()).orElseThrow();
        new SyncRunStore(store).start(new SyncRun("dead-run", JOB, SyncRun.Mode.APPLY, SyncRun.Status.RUNNING,
                clock.instant(), null, 0, 0, 0, 0, 0, null), first, clock.instant().plus(SETTINGS.lease()));

        Instant triggerTaken = null;
        Instant redone = null;
        List<String> deadRunWhileItsLeaseHeld = new java.util.ArrayList<>();
        while (redone == null && clock.instant().isBefore(start.plus(Duration.ofHours(8)))) {
            clock.advance(Duration.ofMinutes(10));
            triggersTwo.tick();
            if (triggerTaken == null && triggersTwo.holds(JOB)) {
                triggerTaken = clock.instant();
            }
            if (clock.instant().isBefore(start.plus(Duration.ofMinutes(270)))) {
                deadRunWhileItsLeaseHeld.add(runStatus("dead-run"));
            }
            if (runs().stream().anyMatch(run -> run.status() == SyncRun.Status.COMPLETED)) {
                redone = clock.instant();
            }
        }

        assertThat(redone).as("the dead instance's run redone").isNotNull();
        assertThat(Duration.between(start, triggerTaken)).as("the trigger taken when it ran out, not a heartbeat "
                + "later").isEqualTo(Duration.ofHours(4));
        assertThat(deadRunWhileItsLeaseHeld).containsOnly("RUNNING");
        assertThat(Duration.between(start, redone)).as("the run redone when its lease ran out")
                .isEqualTo(Duration.ofMinutes(270));
        assertThat(runStatus("dead-run")).isEqualTo("ABORTED");
        assertThat(runs()).filteredOn(run -> run.status() == SyncRun.Status.COMPLETED).singleElement()
                .satisfies(run -> assertThat(run.created()).isEqualTo(40));
        assertThat(target.versionCount()).isEqualTo(40);
        triggersOne.close();
        triggersTwo.close();
    }

    @Test
    void aRunThatEndedWithoutRecordingItsEndIsAbortedALeaseLaterWhileItsInstanceLives() {
        Outage outage = new Outage();
        SyncService flaky = hub.instance(InstanceId.newStart("hub-2"), SETTINGS, clock, outage::over);
        Instant ended = clock.instant();
        // The worker dies with an Error while the store is unreachable: nothing records the run's end.
        target.afterWrites(5, () -> {
            outage.down = true;
            throw new Error("worker died");
        });
        try {
            assertThatThrownBy(() -> flaky.apply(JOB)).isInstanceOf(Error.class).hasMessage("worker died");
            outage.down = false;
            String orphan = onlyRun().id();
            String afterDeath = runStatus(orphan);

            // The instance lives on and beats; another instance keeps trying the job.
            clock.advance(Duration.ofHours(2));
            flaky.heartbeat();
            clock.advance(SETTINGS.lease().minusHours(2).minusSeconds(1));
            flaky.heartbeat();
            Optional<SyncReport> tooEarly = two.tryApply(JOB, SyncService.Scope.INCREMENTAL);
            String beforeExpiry = runStatus(orphan);
            clock.advance(Duration.ofSeconds(1));
            flaky.heartbeat();
            Optional<SyncReport> takenOver = two.tryApply(JOB, SyncService.Scope.INCREMENTAL);

            assertThat(afterDeath).isEqualTo("RUNNING");
            assertThat(tooEarly).isEmpty();
            assertThat(beforeExpiry).isEqualTo("RUNNING");
            assertThat(Duration.between(ended, clock.instant())).isEqualTo(SETTINGS.lease());
            assertThat(runStatus(orphan)).as("not kept alive by its live instance's heartbeat").isEqualTo("ABORTED");
            assertThat(takenOver).get().satisfies(report -> {
                assertThat(report.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
                assertThat(report.run().created() + report.run().unchanged() + report.run().updated()).isEqualTo(40);
            });
            assertThat(target.versionCount()).isEqualTo(40);
        } finally {
            flaky.close();
        }
    }

    @Test
    void anAppendThatCommitsAfterALaterOneStillRunsTheJob() throws Exception {
        SyncTriggers triggers = new SyncTriggers(one, Runnable::run, clock);
        triggers.tick();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        // Held open, uncommitted, with the lower seq, while a later append commits and runs the job.
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> hub.store().transactions()
                .executeWithoutResult(status -> {
                    hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "held", "model-000", "1", "champion")));
                    appended.countDown();
                    awaitQuietly(commit);
                }));
        try {
            assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();
            hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "later", "model-001", "1", "champion")));
            triggers.tick();
            List<SyncRun> beforeCommit = runs();
            // The change the held event announces is made at the source before its append commits.
            SyncHarness.addVersion(source, "a", "model-000", java.util.Map.of("seed", "late"));
            commit.countDown();
            held.get(30, TimeUnit.SECONDS);
            clock.advance(Duration.ofMinutes(1)); // runs are listed newest first, by start
            triggers.tick();

            assertThat(beforeCommit).singleElement().satisfies(run -> assertThat(run.created()).isEqualTo(40));
            assertThat(runs()).hasSize(2).first().satisfies(run -> {
                assertThat(run.status()).isEqualTo(SyncRun.Status.COMPLETED);
                assertThat(run.created()).isEqualTo(1);
            });
            assertThat(target.versionCount()).isEqualTo(41);
            assertThat(hub.store().syncTriggerEvents().pending(JOB, 10)).as("both events consumed").isEmpty();
        } finally {
            commit.countDown();
            triggers.close();
        }
    }

    @Test
    void aRolledBackAppendLeavesNoTriggerAndAJobRemovedFromTheConfigurationCollectsNoMore() {
        new SyncTriggers(one, Runnable::run, clock).tick(); // subscribes the job; nobody runs it afterwards
        hub.store().transactions().executeWithoutResult(status -> {
            hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "rolled-back", "model-000", "1", "champion")));
            status.setRollbackOnly();
        });
        List<Long> afterRollback = hub.store().syncTriggerEvents().pending(JOB, 10);
        hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "kept", "model-000", "1", "champion"),
                TestEvents.aliasSet("b", "other-source", "model-000", "1", "champion")));
        List<Long> waiting = hub.store().syncTriggerEvents().pending(JOB, 10);

        hub.store().syncTriggerEvents().subscribe(java.util.Map.of()); // the job is gone from the configuration
        hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "after-removal", "model-000", "1", "champion")));

        assertThat(afterRollback).isEmpty();
        assertThat(waiting).as("the event from the job's source only").hasSize(1);
        assertThat(hub.store().syncTriggerEvents().pending(JOB, 10)).isEmpty();
    }

    @Test
    void closingTheTriggersStopsTheirRunAtTheNextObjectAndTheNextRunGoesOn() throws Exception {
        Pause pause = new Pause(() -> { });
        java.util.concurrent.ExecutorService runThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            SyncTriggers reloaded = new SyncTriggers(one, runThread, clock);
            reloaded.tick();
            hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "e-1", "model-000", "1", "champion")));
            reloaded.tick();
            pause.awaitReached();

            reloaded.close(); // what a reload does
            pause.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> onlyRun().status() != SyncRun.Status.RUNNING);
            SyncRun stopped = onlyRun();
            int madeBeforeTheStop = target.versionCount();
            clock.advance(Duration.ofMinutes(1)); // runs are listed newest first, by start
            SyncTriggers next = new SyncTriggers(one, Runnable::run, clock);
            next.tick();
            next.close();

            assertThat(stopped.status()).isEqualTo(SyncRun.Status.ABORTED);
            assertThat(stopped.error()).contains("reloaded or shut down").contains("goes on from the cursor");
            assertThat(madeBeforeTheStop).isBetween(1, 39);
            assertThat(runs()).hasSize(2).first().satisfies(run -> {
                assertThat(run.status()).isEqualTo(SyncRun.Status.COMPLETED);
                assertThat(run.created()).isEqualTo(40 - madeBeforeTheStop);
            });
            assertThat(target.versionCount()).isEqualTo(40);
        } finally {
            pause.resume();
            runThread.shutdown();
        }
    }

    @Test
    void closingTheServiceStopsItsRunsWithoutInterruptingThem() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Pause pause = new Pause(() -> interrupted.set(Thread.currentThread().isInterrupted()));
        SyncRun started = one.start(JOB, SyncService.Scope.INCREMENTAL);
        pause.awaitReached();

        Thread closing = new Thread(one::close, "closing");
        closing.start();
        // close() has asked the run to stop and waits for it (it interrupted it, and returned, before).
        await().atMost(Duration.ofSeconds(30)).until(() -> closing.getState() == Thread.State.TIMED_WAITING
                || !closing.isAlive());
        pause.resume();
        closing.join(30_000);

        SyncRun stopped = one.run(started.id()).orElseThrow().run();
        assertThat(interrupted).as("the run's thread was interrupted").isFalse();
        assertThat(closing.isAlive()).isFalse();
        assertThat(stopped.status()).isEqualTo(SyncRun.Status.ABORTED);
        assertThat(stopped.error()).contains("reloaded or shut down");
        assertThat(hub.store().inbox().append(List.of(TestEvents.aliasSet("a", "after", "model-000", "1",
                "champion")))).as("the store takes writes after the close").hasSize(1);
    }

    /** A database that refuses every connection while {@link #down}. */
    private static final class Outage {

        volatile boolean down;

        DataSource over(DataSource target) {
            return new org.springframework.jdbc.datasource.DelegatingDataSource(target) {
                @Override
                public java.sql.Connection getConnection() throws java.sql.SQLException {
                    if (down) {
                        throw new java.sql.SQLException("the database is unreachable (test outage)", "08001");
                    }
                    return super.getConnection();
                }
            };
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<SyncRun> runs() {
        return one.runs(JOB, PageRequest.first(10)).items();
    }

    private SyncRun onlyRun() {
        return runs().stream().reduce((a, b) -> {
            throw new AssertionError("more than one run: " + a + ", " + b);
        }).orElseThrow();
    }

    private String runStatus(String id) {
        return hub.store().jdbc().queryForObject("SELECT status FROM sync_run WHERE id = ?", String.class, id);
    }

    /** Holds the run making the target's fifth write from now on its thread, after the write, until resumed. */
    private final class Pause {

        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch resume = new CountDownLatch(1);

        /** @param afterwards what the run's thread does once resumed */
        Pause(Runnable afterwards) {
            target.afterWrites(5, () -> {
                reached.countDown();
                awaitQuietly(resume);
                afterwards.run();
            });
        }

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(30, TimeUnit.SECONDS)).as("the run reached the pause").isTrue();
        }

        void resume() {
            resume.countDown();
        }
    }
}
