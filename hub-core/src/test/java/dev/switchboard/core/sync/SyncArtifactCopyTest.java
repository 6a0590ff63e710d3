package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.addVersion;
import static dev.switchboard.core.sync.SyncHarness.registry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.SyncOutcome.Kind;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ModelVersion;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncArtifactCopyTest {

    private static final String JOB = "copying";
    private static final URI COPIED = URI.create("mem://store/synced/copying/churn/1/model.bin");

    @TempDir
    Path directory;

    private SyncHarness hub;
    private InMemoryRegistry source;
    private InMemoryRegistry target;
    private InMemoryRegistry store;
    private ModelVersion version;

    @BeforeEach
    void openHub() {
        hub = SyncHarness.fresh(TestDatabases.h2(directory))
                .connection("a", InMemoryRegistryConnector.TYPE)
                .connection("b", InMemoryRegistryConnector.TYPE)
                .connection("store", InMemoryRegistryConnector.TYPE)
                .job(SyncJobSpec.of(JOB, "a", "b")
                        .withArtifacts(SyncJobSpec.ArtifactPolicy.copyTo(URI.create("mem://store/synced/"))));
        source = registry("a");
        target = registry("b");
        store = registry("store");
        version = addVersion(source, "a", "churn", Map.of("n", "1"));
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void copyStreamsTheArtifactToTheStoreVerifiedBeforeTheVersionIsCreated() {
        SyncReport report = hub.restart().apply(JOB);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.CREATED);
            assertThat(o.reason()).endsWith("with a verified copy of the artifact at " + COPIED);
        });
        assertThat(store.stat(COPIED)).get().extracting(a -> a.digest())
                .isEqualTo(source.stat(version.artifact().uri()).orElseThrow().digest());
        assertThat(target.findByExternalRef("churn", version.ref())).get()
                .extracting(v -> v.artifact().uri()).isEqualTo(COPIED);
    }

    @Test
    void aCorruptedTransferFailsTheVersionAndCreatesNothing() {
        source.corruptReads(true);
        SyncService sync = hub.restart();

        SyncReport corrupted = sync.apply(JOB);

        assertThat(corrupted.run().status()).isEqualTo(SyncRun.Status.COMPLETED_WITH_FAILURES);
        assertThat(corrupted.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.FAILED);
            assertThat(o.reason()).contains("has SHA-256").contains("expected")
                    .contains(source.stat(version.artifact().uri()).orElseThrow().digest().value());
        });
        assertThat(target.versionCount()).isZero();
        assertThat(target.writes()).isZero();
        assertThat(store.hasArtifact(COPIED)).isFalse();

        source.corruptReads(false);
        assertThat(sync.apply(JOB).outcomes()).singleElement().extracting(SyncOutcome::kind).isEqualTo(Kind.CREATED);
        assertThat(target.versionCount()).isEqualTo(1);
    }

    @Test
    void anArtifactNoConnectionServesFailsTheVersionWithTheReason() {
        hub.job(SyncJobSpec.of("nowhere", "a", "b")
                .withArtifacts(SyncJobSpec.ArtifactPolicy.copyTo(URI.create("s3://unknown-bucket/synced"))));

        SyncService sync = hub.restart();
        SyncReport plan = sync.plan("nowhere");
        SyncReport report = sync.apply("nowhere");

        assertThat(plan.outcomes()).as("plan predicts what apply meets").singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.FAILED);
            assertThat(o.reason()).isEqualTo("would fail: no configured connection serves artifacts at "
                    + "s3://unknown-bucket/synced/nowhere/churn/1/model.bin (where the copy goes)");
        });
        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.FAILED);
            assertThat(o.reason()).isEqualTo("no configured connection serves artifacts at "
                    + "s3://unknown-bucket/synced/nowhere/churn/1/model.bin (where the copy goes)");
        });
        assertThat(target.versionCount()).isZero();
    }
}
