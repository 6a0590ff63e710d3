package dev.switchboard.routes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.FidelityGap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.spi.Fidelity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow → SageMaker at scale, against the fakes calibrated on the real servers (MLflow's version search carries no
 * aliases and moves no time on tag or alias changes; SageMaker finds packages by one Search): 1,000 versions in 20
 * models, {@code champion} on one version of each, a tag SageMaker cannot hold on some.
 */
class MlflowToSageMakerAtScaleTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();
    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();

    private static final int MODELS = 20;
    private static final int VERSIONS = 50;
    private static final String JOB = "mlflow-to-sagemaker";

    @TempDir
    Path directory;

    private final List<AutoCloseable> open = new java.util.ArrayList<>();

    /** A hub on its own database; see {@link SyncConnections#hub}. */
    private SyncService hub(String database) {
        SyncJobSpec job = SyncJobSpec.of(JOB, "mlflow-prod", "sagemaker-prod").withPageSize(200)
                .withMapping(SyncConnections.CHAMPION_APPROVED);
        HubConfig config = new HubConfig(Map.of(
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", MLFLOW.baseUrl().toString(),
                        "page-size", "1000")),
                "sagemaker-prod", SyncConnections.sagemaker(SAGEMAKER)),
                null, null, Map.of(job.name(), job));
        return SyncConnections.hub(directory, database, config, open);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aThousandVersionsArriveInOrderApprovedByAliasAndAnIncrementalRunCarriesAliasMovesAndTagChanges() {
        for (int m = 0; m < MODELS; m++) {
            String model = model(m);
            MLFLOW.call("POST", "registered-models/create", Map.of("name", model));
            for (int v = 1; v <= VERSIONS; v++) {
                List<Map<String, String>> tags = v % 10 == 0
                        ? List.of(Map.of("key", "team", "value", "ml"), Map.of("key", "note", "value", "a,b"))
                        : List.of(Map.of("key", "team", "value", "ml"));
                MLFLOW.call("POST", "model-versions/create", Map.of("name", model,
                        "source", "s3://models/" + model + "/" + v + "/model.tar.gz", "tags", tags));
            }
            MLFLOW.call("POST", "registered-models/alias", Map.of("name", model, "alias", "champion",
                    "version", String.valueOf(VERSIONS)));
        }
        SyncService sync = hub("hub");

        long start = System.nanoTime();
        SyncReport first = sync.apply(JOB);
        long firstMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(first.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(first.run().created()).isEqualTo(MODELS * VERSIONS);
        assertThat(SAGEMAKER.calls("UpdateModelPackage")).as("approval is set by CreateModelPackage").isZero();
        for (int m = 0; m < MODELS; m++) {
            assertThat(SAGEMAKER.packages(model(m))).hasSize(VERSIONS);
        }
        // oldest first: package N of a group is MLflow version N
        assertThat(SAGEMAKER.describe(model(3), 7).path("InferenceSpecification").path("Containers").path(0)
                .path("ModelDataUrl").asString()).isEqualTo("s3://models/" + model(3) + "/7/model.tar.gz");
        assertThat(SAGEMAKER.describe(model(3), VERSIONS).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(SAGEMAKER.describe(model(3), 1).path("ModelApprovalStatus").asString())
                .isEqualTo("PendingManualApproval");
        assertThat(SAGEMAKER.describe(model(3), 10).path("CustomerMetadataProperties").path("team").asString())
                .isEqualTo("ml");
        assertThat(SAGEMAKER.describe(model(3), 10).path("CustomerMetadataProperties").has("note")).isFalse();
        SyncOutcome tenth = outcome(first, model(3), 10);
        assertThat(tenth.kind()).isEqualTo(SyncOutcome.Kind.CREATED);
        assertThat(tenth.fidelity()).extracting(FidelityGap::field, FidelityGap::detail).contains(
                org.assertj.core.groups.Tuple.tuple(Fidelity.Field.TAGS, "tags note not carried: SageMaker keys and "
                        + "values are letters, digits, spaces and _.:/=+-@ only"));
        assertThat(outcome(first, model(3), VERSIONS).fidelity()).extracting(FidelityGap::field)
                .contains(Fidelity.Field.ALIASES);

        // a re-run of everything writes nothing and calls SageMaker not once
        SAGEMAKER.server().resetRequests();
        SyncReport again = sync.apply(JOB, SyncService.Scope.FULL);
        assertThat(again.outcomes()).hasSize(MODELS * VERSIONS).extracting(SyncOutcome::kind)
                .containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(SAGEMAKER.server().getAllServeEvents()).isEmpty();

        // an alias move and a tag change move no MLflow timestamp; the incremental run carries both
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", model(0), "alias", "champion", "version", "49"));
        MLFLOW.call("POST", "model-versions/set-tag", Map.of("name", model(1), "version", "1", "key", "reviewed",
                "value", "yes"));
        SyncReport incremental = sync.apply(JOB);
        assertThat(incremental.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(incremental.outcomes(SyncOutcome.Kind.UPDATED)).extracting(SyncOutcome::objectKey)
                .containsExactlyInAnyOrder(key(model(0), 49), key(model(0), VERSIONS), key(model(1), 1));
        assertThat(SAGEMAKER.describe(model(0), 49).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(SAGEMAKER.describe(model(0), VERSIONS).path("ModelApprovalStatus").asString())
                .isEqualTo("PendingManualApproval");
        assertThat(SAGEMAKER.describe(model(1), 1).path("CustomerMetadataProperties").path("reviewed").asString())
                .isEqualTo("yes");

        // a hub that lost its links (killed right after the creates) finds every package: no duplicate
        SAGEMAKER.server().resetRequests();
        SyncReport afterCrash = hub("hub-after-crash").apply(JOB);
        assertThat(afterCrash.run().created()).isZero();
        assertThat(SAGEMAKER.calls("CreateModelPackage")).isZero();
        assertThat(SAGEMAKER.calls("Search")).as("SageMaker lookups: at most one per version")
                .isLessThanOrEqualTo(MODELS * VERSIONS);
        assertThat(SAGEMAKER.calls("DescribeModelPackage")).isZero();
        for (int m = 0; m < MODELS; m++) {
            assertThat(SAGEMAKER.packages(model(m))).hasSize(VERSIONS);
        }
        assertThat(firstMillis).as("1,000 versions synced in seconds").isLessThan(60_000);
    }

    private static SyncOutcome outcome(SyncReport report, String model, int version) {
        return report.outcomes().stream().filter(o -> o.objectKey().equals(key(model, version))).findFirst()
                .orElseThrow();
    }

    private static String key(String model, int version) {
        return "mlflow-prod:model_version:" + model + "/" + version;
    }

    private static String model(int m) {
        return String.format("model-%02d", m);
    }
}
