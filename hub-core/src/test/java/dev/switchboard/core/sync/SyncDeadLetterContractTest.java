package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.addVersion;
import static dev.switchboard.core.sync.SyncHarness.registry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.delivery.DeadLetterFilter;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.core.delivery.DeadLetters.ReplayOutcome;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.sync.SyncOutcome.Kind;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each object that fails in an applied sync run is a dead letter, and replaying it syncs that object alone; on H2
 * and on PostgreSQL.
 */
abstract class SyncDeadLetterContractTest {

    private static final String JOB = "a-to-b";
    private static final String REFUSAL = "ValidationException: ModelPackageDescription must not be \"bad\"";

    @TempDir
    protected Path directory;

    private SyncHarness hub;
    private InMemoryRegistry source;
    private InMemoryRegistry target;
    private SyncService sync;
    private DeadLetters deadLetters;
    private ModelVersion refusedVersion;

    @BeforeEach
    void openHub() {
        hub = SyncHarness.fresh(createDataSource())
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of(JOB, "a", "b"));
        source = registry("a");
        target = registry("b");
        addVersion(source, "a", "churn", Map.of("n", "1"));
        refusedVersion = addVersion(source, "a", "churn", Map.of("n", "2"));
        addVersion(source, "a", "fraud", Map.of("n", "1"));
        target.refuseVersions(v -> "2".equals(v.tags().get("n")), REFUSAL);
        sync = hub.service();
        deadLetters = new DeadLetters(hub.store(), new Outbox(hub.store(), Clock.systemUTC()), sync::replay,
                Clock.systemUTC());
    }

    /** A new, empty database. */
    protected abstract DataSource createDataSource();

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void aRefusedObjectIsOneDeadLetterAndReplayingItAfterTheFixCreatesItOnce() {
        SyncReport failing = sync.apply(JOB);
        List<DeadLetter> filed = openSyncDeadLetters();

        assertThat(failing.run().status()).isEqualTo(SyncRun.Status.COMPLETED_WITH_FAILURES);
        assertThat(failing.outcomes(Kind.FAILED)).singleElement()
                .satisfies(o -> assertThat(o.objectKey()).isEqualTo(refusedVersion.ref().key()));
        assertThat(filed).singleElement().satisfies(deadLetter -> {
            assertThat(deadLetter.stage()).isEqualTo(DeadLetter.Stage.SYNC);
            assertThat(deadLetter.connection()).as("filed under the connection that refused").isEqualTo("b");
            assertThat(deadLetter.action()).isEqualTo("sync/" + JOB);
            assertThat(deadLetter.reason()).contains(REFUSAL);
            assertThat(deadLetter.sync()).isEqualTo(new DeadLetter.SyncObject(JOB, failing.run().id(),
                    refusedVersion.ref().key(), "churn", refusedVersion.version()));
        });

        SyncReport again = sync.apply(JOB);
        assertThat(again.outcomes(Kind.FAILED)).as("the cursor stays before the failure").hasSize(1);
        assertThat(openSyncDeadLetters()).as("a failure again updates the open dead letter, never a second one")
                .singleElement().satisfies(d -> assertThat(d.sync().runId()).isEqualTo(again.run().id()));

        target.refuseVersions(null, null);
        int before = target.versionCount();
        long id = filed.get(0).id();
        DeadLetters.ReplayResult replayed = deadLetters.replay(id);
        DeadLetters.ReplayResult second = deadLetters.replay(id);

        assertThat(replayed.outcome()).isEqualTo(ReplayOutcome.REPLAYED);
        assertThat(second.outcome()).isEqualTo(ReplayOutcome.ALREADY_REPLAYED);
        assertThat(target.versionCount()).isEqualTo(before + 1);
        assertThat(target.findByExternalRef("churn", refusedVersion.ref())).isPresent();
        assertThat(deadLetters.find(id).orElseThrow().replayedAt()).isNotNull();
        assertThat(openSyncDeadLetters()).isEmpty();
        SyncRun replayRun = sync.runs(JOB, PageRequest.first(1)).items().get(0);
        assertThat(sync.run(replayRun.id()).orElseThrow().outcomes()).as("the replay ran for that object alone")
                .singleElement().satisfies(o -> {
                    assertThat(o.objectKey()).isEqualTo(refusedVersion.ref().key());
                    assertThat(o.kind()).isEqualTo(Kind.CREATED);
                });
        assertThat(sync.apply(JOB).outcomes(Kind.CREATED)).as("the next run finds it there").isEmpty();
    }

    @Test
    void aReplayThatFailsAgainKeepsTheDeadLetterOpenWithTheNewReason() {
        sync.apply(JOB);
        long id = openSyncDeadLetters().get(0).id();
        target.refuseVersions(v -> true, "ValidationException: still refused");

        DeadLetters.ReplayResult result = deadLetters.replay(id);

        assertThat(result.outcome()).isEqualTo(ReplayOutcome.FAILED_AGAIN);
        assertThat(deadLetters.find(id).orElseThrow()).satisfies(d -> {
            assertThat(d.open()).isTrue();
            assertThat(d.reason()).contains("still refused");
        });
        assertThat(openSyncDeadLetters()).hasSize(1);
    }

    @Test
    void aPlanFilesNoDeadLetterAndAnIncrementalRunThatSyncsTheObjectResolvesIt() {
        sync.plan(JOB);
        assertThat(openSyncDeadLetters()).as("a plan writes nothing").isEmpty();

        sync.apply(JOB);
        target.refuseVersions(null, null);
        sync.apply(JOB);

        assertThat(openSyncDeadLetters()).isEmpty();
        assertThat(deadLetters.list(DeadLetterFilter.all().withStage(DeadLetter.Stage.SYNC), PageRequest.first(10))
                .items()).singleElement().satisfies(d -> assertThat(d.replayedAt()).isNotNull());
    }

    private List<DeadLetter> openSyncDeadLetters() {
        return deadLetters.list(DeadLetterFilter.openFor(null).withStage(DeadLetter.Stage.SYNC), PageRequest.first(10))
                .items();
    }
}
