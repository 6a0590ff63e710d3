package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.addVersion;
import static dev.switchboard.core.sync.SyncHarness.registry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.SyncOutcome.Kind;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.Fidelity.Field;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MLflow-like source (everything) to a SageMaker-like target (no aliases or stages, 50 tags of 256 characters). */
class SyncFidelityTest {

    private static final String JOB = "mlflow-to-sagemaker";

    @TempDir
    Path directory;

    private SyncHarness hub;
    private InMemoryRegistry mlflow;
    private InMemoryRegistry sagemaker;

    @BeforeEach
    void openHub() {
        hub = SyncHarness.fresh(TestDatabases.h2(directory))
                .connection("mlflow", InMemoryRegistryConnector.TYPE)
                .connection("sagemaker", SyncHarness.SAGEMAKER_LIKE)
                .job(SyncJobSpec.of(JOB, "mlflow", "sagemaker").withMapping(new SyncJobSpec.FieldMapping(
                        Map.of("champion", ApprovalStatus.APPROVED), Map.of(Stage.ARCHIVED, ApprovalStatus.REJECTED),
                        null, ApprovalStatus.PENDING, Map.of("owner", "team-owner"))));
        mlflow = registry("mlflow");
        sagemaker = registry("sagemaker");
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void theReportNamesEveryFieldTheTargetCouldNotHoldAndTheRestIsCarried() {
        Map<String, String> tags = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            tags.put(String.format("tag-%02d", i), "value " + i);
        }
        tags.put("notes", "x".repeat(300));
        tags.put("owner", "fraud-team");
        ModelVersion version = addVersion(mlflow, "mlflow", "churn", tags);
        mlflow.setAlias("churn", "champion", "1");
        mlflow.setAlias("churn", "prod", "1");
        mlflow.transitionStage("churn", "1", Stage.PRODUCTION);

        SyncService sync = hub.restart();
        SyncReport report = sync.apply(JOB);

        SyncOutcome outcome = report.outcomes().get(0);
        assertThat(outcome.kind()).isEqualTo(Kind.CREATED);
        assertThat(outcome.fidelity()).extracting(FidelityGap::field)
                .containsExactlyInAnyOrder(Field.STAGE, Field.ALIASES, Field.TAGS, Field.TAGS);
        assertThat(outcome.fidelity()).extracting(FidelityGap::toString).contains(
                "STAGE: stage PRODUCTION not held by the target",
                "ALIASES: aliases champion, prod not held by the target (carried as approval APPROVED by the job's mapping)",
                "TAGS: tags notes not carried: values longer than the target's limit of 256 characters",
                "TAGS: tags tag-50, tag-51, tag-52, tag-53, tag-54, tag-55, tag-56, tag-57, tag-58, tag-59, team-owner "
                        + "not carried: beyond the target's limit of 50 tags");
        ModelVersion copy = sagemaker.findByExternalRef("churn", version.ref()).orElseThrow();
        assertThat(copy.approval()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(copy.tags()).hasSize(50).containsEntry("tag-49", "value 49").doesNotContainKeys("owner", "notes");
        assertThat(sync.run(report.run().id())).get()
                .satisfies(stored -> assertThat(stored.outcomes().get(0).fidelity())
                        .containsExactlyInAnyOrderElementsOf(outcome.fidelity()));

        sagemaker.resetCounters();
        SyncReport again = sync.apply(JOB, SyncService.Scope.FULL);
        assertThat(sagemaker.writes()).isZero();
        assertThat(again.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.UNCHANGED);
            assertThat(o.fidelity()).isEqualTo(outcome.fidelity());
        });
    }

    @Test
    void approvalFollowsTheAliasAndStageMappingAsTheSourceChanges() {
        addVersion(mlflow, "mlflow", "churn", Map.of("n", "1", "owner", "fraud-team"));
        addVersion(mlflow, "mlflow", "churn", Map.of("n", "2"));
        mlflow.setAlias("churn", "champion", "1");
        SyncService sync = hub.restart();
        sync.apply(JOB);
        assertThat(approvals()).containsExactly("1=APPROVED", "2=PENDING");
        assertThat(sagemaker.allVersions()).anySatisfy(v -> assertThat(v.tags()).containsEntry("team-owner", "fraud-team")
                .doesNotContainKey("owner"));

        mlflow.setAlias("churn", "champion", "2");
        mlflow.transitionStage("churn", "1", Stage.ARCHIVED);
        SyncReport moved = sync.apply(JOB);

        assertThat(moved.outcomes(Kind.UPDATED)).hasSize(2);
        assertThat(approvals()).containsExactly("1=REJECTED", "2=APPROVED");
    }

    private java.util.List<String> approvals() {
        return sagemaker.allVersions().stream().map(v -> v.tags().get("n") + "=" + v.approval()).sorted().toList();
    }
}
