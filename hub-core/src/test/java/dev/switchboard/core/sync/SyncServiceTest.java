package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.addVersion;
import static dev.switchboard.core.sync.SyncHarness.registry;
import static dev.switchboard.core.sync.SyncHarness.seed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.sync.SyncOutcome.Kind;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.Stage;
import dev.switchboard.model.SyncCompleted;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncServiceTest {

    private static final String JOB = "a-to-b";

    @TempDir
    Path directory;

    private SyncHarness hub;
    private InMemoryRegistry source;
    private InMemoryRegistry target;

    @BeforeEach
    void openHub() {
        hub = SyncHarness.fresh(TestDatabases.h2(directory))
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of(JOB, "a", "b").withPageSize(40));
        source = registry("a");
        target = registry("b");
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void firstSyncOfAThousandVersionsCreatesEachOnceAndAnImmediateRerunWritesNothing() {
        seed(source, "a", 40, 25);
        SyncService sync = hub.restart();

        SyncReport first = sync.apply(JOB);

        assertThat(first.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(first.run().created()).isEqualTo(1000);
        assertThat(first.outcomes()).hasSize(1000).allMatch(o -> o.kind() == Kind.CREATED);
        assertThat(target.versionCount()).isEqualTo(1000);
        assertThat(source.snapshot()).hasSize(1000);
        assertThat(target.snapshot()).allMatch(line -> line.contains("from=a:model_version:"));
        assertThat(source.reads()).as("the source is read page by page").isGreaterThan(1000 / 40);

        target.resetCounters();
        SyncReport full = sync.apply(JOB, SyncService.Scope.FULL);
        SyncReport incremental = sync.apply(JOB);

        assertThat(target.writes()).isZero();
        assertThat(target.reads()).as("unchanged fingerprints need no target call").isZero();
        assertThat(full.outcomes()).hasSize(1000).allMatch(o -> o.kind() == Kind.UNCHANGED);
        assertThat(full.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(incremental.outcomes()).isNotEmpty().allMatch(o -> o.kind() == Kind.UNCHANGED);
        assertThat(incremental.outcomes().size()).as("incremental reads only what changed since the cursor")
                .isLessThan(1000);
    }

    @Test
    void incrementalRunCarriesANewVersionAMovedAliasAndAChangedTag() {
        seed(source, "a", 3, 3);
        SyncService sync = hub.restart();
        sync.apply(JOB);

        ModelVersion added = addVersion(source, "a", "model-001", Map.of("team", "fraud"));
        source.setAlias("model-000", "champion", "2");
        source.setVersionTag("model-002", "1", "team", "renamed-team");
        source.transitionStage("model-002", "1", Stage.ARCHIVED);
        SyncReport next = sync.apply(JOB);

        assertThat(next.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(next.outcomes(Kind.CREATED)).extracting(SyncOutcome::objectKey)
                .containsExactly(added.ref().key());
        assertThat(next.outcomes(Kind.UPDATED)).extracting(SyncOutcome::objectKey)
                .contains("a:model_version:model-000/2", "a:model_version:model-002/1");
        assertThat(target.snapshot()).isEqualTo(cleanSyncOf(source));
        assertThat(target.getVersionByAlias("model-000", "champion")).get()
                .extracting(v -> v.tags().get("seed")).isEqualTo("model-000-2");
    }

    @Test
    void anAliasMovedWithoutTouchingAnyVersionIsCarriedByTheNextIncrementalRun() {
        seed(source, "a", 3, 3);
        source.aliasesTouchVersions(false);
        SyncService sync = hub.restart();
        sync.apply(JOB);
        target.resetCounters();

        source.setAlias("model-001", "champion", "1");
        SyncReport next = sync.apply(JOB);

        assertThat(next.outcomes(Kind.UPDATED)).extracting(SyncOutcome::objectKey)
                .containsExactly("a:model_version:model-001/1");
        assertThat(target.getVersionByAlias("model-001", "champion")).get()
                .extracting(v -> v.tags().get("seed")).isEqualTo("model-001-1");
        assertThat(target.snapshot()).isEqualTo(cleanSyncOf(source));
        target.resetCounters();
        assertThat(sync.apply(JOB).outcomes()).allMatch(o -> o.kind() == Kind.UNCHANGED);
        assertThat(target.writes()).isZero();
    }

    @Test
    void planReportsWhatApplyWouldDoWithoutWritingToTheTarget() {
        seed(source, "a", 2, 3);
        SyncService sync = hub.restart();
        sync.apply(JOB);
        addVersion(source, "a", "model-000", Map.of("team", "new"));
        source.setVersionTag("model-001", "2", "team", "changed");
        target.resetCounters();

        SyncReport plan = sync.plan(JOB);

        assertThat(target.writes()).isZero();
        assertThat(plan.run().mode()).isEqualTo(SyncRun.Mode.PLAN);
        assertThat(plan.outcomes(Kind.CREATED)).singleElement()
                .satisfies(o -> assertThat(o.reason()).isEqualTo("would create the version"));
        assertThat(plan.outcomes(Kind.UPDATED)).singleElement()
                .satisfies(o -> assertThat(o.reason()).isEqualTo("would change tag team"));
        assertThat(sync.apply(JOB).outcomes()).extracting(SyncOutcome::objectKey, SyncOutcome::kind)
                .containsAll(plan.outcomes().stream().map(o -> org.assertj.core.groups.Tuple.tuple(o.objectKey(),
                        o.kind())).toList());
    }

    @Test
    void runsKeepEveryOutcomeAndEachApplyAnnouncesSyncCompleted() {
        seed(source, "a", 2, 2);
        SyncService sync = hub.restart();
        SyncReport plan = sync.plan(JOB);
        SyncReport applied = sync.apply(JOB);

        assertThat(sync.runs(JOB, PageRequest.first(10)).items()).extracting(SyncRun::id)
                .containsExactly(applied.run().id(), plan.run().id());
        assertThat(sync.runs(JOB, PageRequest.first(1)).nextPageToken()).isNotNull();
        assertThat(sync.run(applied.run().id())).get().satisfies(stored -> {
            assertThat(stored.run()).isEqualTo(applied.run());
            assertThat(stored.outcomes()).containsExactlyInAnyOrderElementsOf(applied.outcomes());
        });
        List<StoredEvent> events = hub.store().inbox().readAfter(0, 10);
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.event().type()).isEqualTo(EventType.SYNC_COMPLETED);
            assertThat(event.event().data()).isEqualTo(new SyncCompleted(JOB, applied.run().id(), 4, 0, 0, 0, 0));
        });
    }

    @Test
    void aFailingTargetEndsTheRunWithFailuresAndTheNextRunRetriesThem() {
        seed(source, "a", 4, 5);
        SyncService sync = hub.restart();
        target.failWritesAfter(30, false, () -> ConnectorException.transientFailure("b", "HTTP 503", null));

        SyncReport failing = sync.apply(JOB);
        target.heal();
        SyncReport retry = sync.apply(JOB);

        assertThat(failing.run().status()).isEqualTo(SyncRun.Status.COMPLETED_WITH_FAILURES);
        assertThat(failing.run().failed()).isPositive().isEqualTo(failing.outcomes(Kind.FAILED).size());
        assertThat(failing.outcomes(Kind.FAILED)).allSatisfy(o -> assertThat(o.reason()).contains("[b] HTTP 503"));
        assertThat(retry.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(retry.outcomes(Kind.FAILED)).isEmpty();
        assertThat(target.snapshot()).isEqualTo(cleanSyncOf(source));
    }

    @Test
    void selectionSkipsVersionsOutsideItWithAReason() {
        seed(source, "a", 3, 2);
        hub.job(SyncJobSpec.of("champions", "a", "b").withSelection(new SyncJobSpec.Selection(
                List.of("model-00[01]"), java.util.Set.of("champion"), null, Map.of("team", "*"))));
        SyncReport report = hub.restart().apply("champions");

        assertThat(report.outcomes(Kind.CREATED)).extracting(SyncOutcome::objectKey)
                .containsExactlyInAnyOrder("a:model_version:model-000/2", "a:model_version:model-001/2");
        assertThat(report.outcomes(Kind.SKIPPED)).hasSize(4).extracting(SyncOutcome::reason).contains(
                "not selected: model model-002 matches none of [model-00[01]]",
                "not selected: has none of the aliases [champion]");
        assertThat(target.versionCount()).isEqualTo(2);
    }

    @Test
    void reverseJobsBetweenTwoRegistriesDoNotCopyCopiesBack() {
        seed(source, "a", 2, 2);
        seed(target, "b", 1, 1);
        hub.job(SyncJobSpec.of("b-to-a", "b", "a"));
        SyncService sync = hub.restart();

        for (int round = 0; round < 3; round++) {
            sync.apply(JOB);
            sync.apply("b-to-a");
        }

        assertThat(source.versionCount()).isEqualTo(4 + 1);
        assertThat(target.versionCount()).isEqualTo(1 + 4);
        SyncReport back = sync.apply("b-to-a", SyncService.Scope.FULL);
        assertThat(back.outcomes(Kind.SKIPPED)).hasSize(4)
                .allSatisfy(o -> assertThat(o.reason()).contains("made by a sync job; copies are not synced back"));
    }

    @Test
    void concurrentAppliesOfOneJobCreateEachVersionOnce() throws Exception {
        seed(source, "a", 5, 10);
        SyncService sync = hub.restart();
        SyncService otherInstanceInThisJvm = new SyncService(hub.store(), hub.connections(), sync.jobs(),
                java.time.Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<SyncReport>> calls = List.of(() -> sync.apply(JOB), () -> sync.apply(JOB),
                    () -> otherInstanceInThisJvm.apply(JOB), () -> sync.apply(JOB, SyncService.Scope.FULL));
            for (Future<SyncReport> future : pool.invokeAll(calls)) {
                assertThat(future.get().run().failed()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(target.versionCount()).isEqualTo(50);
        assertThat(target.snapshot()).isEqualTo(cleanSyncOf(source));
    }

    /** What a target holds after one clean sync of {@code registry}, with a fresh hub. */
    private List<String> cleanSyncOf(InMemoryRegistry registry) {
        assertThat(registry).isSameAs(source);
        return hub.cleanSnapshot(JOB, directory);
    }
}
