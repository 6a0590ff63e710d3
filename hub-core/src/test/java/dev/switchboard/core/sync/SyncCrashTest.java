package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.registry;
import static dev.switchboard.core.sync.SyncHarness.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kill safety inside one JVM: a run that dies at any point, then a fresh hub on the same database, ends with each
 * object once ({@link SyncProcessKillTest} does the same with real SIGKILLs on PostgreSQL).
 */
class SyncCrashTest {

    private static final String JOB = "a-to-b";

    /** What a dying JVM looks like from inside: an Error no one catches. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    @TempDir
    Path directory;

    private SyncHarness hub;
    private InMemoryRegistry source;
    private InMemoryRegistry target;

    @BeforeEach
    void openHub() {
        // One test interrupts the run's thread between writes: see h2WithDefaultWriteDelay for why not h2.
        hub = SyncHarness.fresh(TestDatabases.h2WithDefaultWriteDelay(directory))
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of(JOB, "a", "b").withPageSize(25));
        source = registry("a");
        target = registry("b");
        seed(source, "a", 12, 20);
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @ParameterizedTest(name = "crash at write {0}, after the target applied it: {1}")
    @CsvSource({"0, false", "1, true", "2, false", "57, true", "58, false", "199, true", "240, false", "241, true"})
    void aRunThatCrashesAndARestartedHubLeaveEachObjectAtTheTargetOnce(int writes, boolean applied) {
        target.failWritesAfter(writes, applied, SimulatedCrash::new);
        assertThatThrownBy(() -> hub.restart().apply(JOB)).isInstanceOf(SimulatedCrash.class);
        target.heal();

        SyncService restarted = hub.restart();
        SyncReport resumed = restarted.apply(JOB);

        assertThat(resumed.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertEachSourceVersionCopiedOnce();
        assertThat(target.snapshot()).isEqualTo(hub.cleanSnapshot(JOB, directory));
        assertThat(restarted.runs(JOB, PageRequest.first(5)).items()).extracting(SyncRun::status)
                .containsExactly(SyncRun.Status.COMPLETED, SyncRun.Status.ABORTED);
        target.resetCounters();
        assertThat(restarted.apply(JOB, SyncService.Scope.FULL).run().unchanged()).isEqualTo(240);
        assertThat(target.writes()).isZero();
    }

    @Test
    void repeatedCrashesAtLaterAndLaterPointsStillConvergeToACleanRun() {
        for (int crashAt : new int[] {5, 90, 31, 400}) {
            target.failWritesAfter(crashAt, crashAt % 2 == 0, SimulatedCrash::new);
            try {
                hub.restart().apply(JOB);
            } catch (SimulatedCrash expected) {
                // the next iteration restarts the hub
            }
            target.heal();
        }
        hub.restart().apply(JOB);

        assertEachSourceVersionCopiedOnce();
        assertThat(target.snapshot()).isEqualTo(hub.cleanSnapshot(JOB, directory));
    }

    @Test
    void anInterruptedRunIsAbortedWithoutMovingTheCursorAndTheNextRunFinishesIt() {
        SyncService sync = hub.restart();
        target.afterWrites(100, () -> Thread.currentThread().interrupt());

        SyncReport interrupted = sync.apply(JOB);
        boolean flagKept = Thread.interrupted();
        var cursorAfterInterrupt = hub.store().cursors().get(SyncRunner.cursorName(JOB));
        SyncReport next = sync.apply(JOB);

        assertThat(flagKept).as("the interrupt is passed on to the caller").isTrue();
        assertThat(interrupted.run().status()).isEqualTo(SyncRun.Status.ABORTED);
        assertThat(interrupted.run().error()).startsWith("interrupted after");
        assertThat(cursorAfterInterrupt).isEmpty();
        assertThat(next.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(hub.store().cursors().get(SyncRunner.cursorName(JOB))).get()
                .isEqualTo(latestSourceTime().toString());
        assertEachSourceVersionCopiedOnce();
    }

    @Test
    void aRunsSummaryIsItsRecordedOutcomesWhileItRunsNotOnlyWhenItEnds() {
        SyncService sync = hub.restart();
        AtomicReference<SyncReport> midway = new AtomicReference<>();
        target.afterWrites(100, () -> midway.set(sync.run(sync.runs(JOB, PageRequest.first(1)).items().get(0).id())
                .orElseThrow()));

        SyncReport done = sync.apply(JOB);

        assertThat(midway.get().run().status()).isEqualTo(SyncRun.Status.RUNNING);
        assertThat(midway.get().outcomes(SyncOutcome.Kind.CREATED)).isNotEmpty();
        assertThat(midway.get().run().created()).isEqualTo(midway.get().outcomes(SyncOutcome.Kind.CREATED).size());
        assertThat(midway.get().run().total()).isEqualTo(midway.get().outcomes().size());
        SyncRun stored = sync.run(done.run().id()).orElseThrow().run();
        assertThat(stored.created()).isEqualTo(240).isEqualTo(done.run().created());
        assertThat(stored.total()).isEqualTo(sync.run(done.run().id()).orElseThrow().outcomes().size());
    }

    @Test
    void aRunLeftRunningByADeadProcessIsMarkedAbortedByTheNextRun() {
        hub.restart();
        hub.store().jdbc().update("INSERT INTO sync_run (id, job, mode, status, started_at) VALUES (?, ?, ?, ?, ?)",
                "dead-run", JOB, "APPLY", "RUNNING", Timestamp.from(Instant.parse("2026-11-01T00:00:00Z")));

        hub.service().apply(JOB);

        assertThat(hub.service().run("dead-run")).get().satisfies(report -> {
            assertThat(report.run().status()).isEqualTo(SyncRun.Status.ABORTED);
            assertThat(report.run().error()).isEqualTo("the process running it stopped before the end");
        });
    }

    private Instant latestSourceTime() {
        return source.allVersions().stream()
                .map(ModelVersion::updatedAt).max(Instant::compareTo).orElseThrow();
    }

    private void assertEachSourceVersionCopiedOnce() {
        List<ModelVersion> versions = source.allVersions();
        assertThat(versions).hasSize(240).allSatisfy(v -> assertThat(target.copiesOf(v.ref())).isEqualTo(1));
        assertThat(target.versionCount()).isEqualTo(240);
    }
}
