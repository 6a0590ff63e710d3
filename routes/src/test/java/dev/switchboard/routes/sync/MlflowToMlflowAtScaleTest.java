package dev.switchboard.routes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.RequestMethod;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.FidelityGap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.spi.Fidelity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow → MLflow at scale in reference mode, against the fakes calibrated on the real servers (version search
 * carries no aliases; tag and alias changes move no time): 1,000 versions in 20 models, each from a run with
 * metrics, {@code champion} on one version of each, every tenth a logged directory under {@code mlflow-artifacts:/}
 * (referenced by the source server's proxy URL) and a few registered from MLflow 3 logged models
 * ({@code models:/m-…}, which the other server cannot read: reported, never retried as a 500).
 */
class MlflowToMlflowAtScaleTest {

    @Fake
    static final MlflowFake SOURCE = new MlflowFake();
    @Fake
    static final MlflowFake TARGET = new MlflowFake();

    private static final int MODELS = 20;
    private static final int VERSIONS = 50;
    private static final String JOB = "mlflow-a-to-b";

    @TempDir
    Path directory;

    private final List<AutoCloseable> open = new java.util.ArrayList<>();

    /** A hub on its own database; see {@link SyncConnections#hub}. */
    private SyncService hub(String database) {
        SyncJobSpec job = SyncJobSpec.of(JOB, "mlflow-a", "mlflow-b").withPageSize(200);
        HubConfig config = new HubConfig(Map.of(
                "mlflow-a", mlflow(SOURCE), "mlflow-b", mlflow(TARGET)), null, null, Map.of(job.name(), job));
        return SyncConnections.hub(directory, database, config, open);
    }

    private static HubConfig.ConnectionSpec mlflow(MlflowFake server) {
        return new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", server.baseUrl().toString(),
                "page-size", "1000"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aThousandVersionsCarryAliasesAndTagsReferenceDirectoriesAndReportWhatTheOtherServerCannotRead() {
        seed();
        SyncService sync = hub("hub");

        SyncReport first = sync.apply(JOB);

        int loggedModels = MODELS * 3; // versions 7, 27 and 47 of each model
        assertThat(first.outcomes(SyncOutcome.Kind.FAILED)).extracting(SyncOutcome::reason)
                .allSatisfy(reason -> assertThat(reason).contains("needs a source artifact URI"));
        assertThat(first.run().status()).isEqualTo(SyncRun.Status.COMPLETED_WITH_FAILURES);
        assertThat(first.run().created()).isEqualTo(MODELS * VERSIONS - loggedModels);
        assertThat(first.run().failed()).isEqualTo(loggedModels);
        assertThat(first.outcomes(SyncOutcome.Kind.FAILED)).allSatisfy(failed -> {
            assertThat(failed.reason()).contains("needs a source artifact URI");
            assertThat(failed.fidelity()).extracting(FidelityGap::field).contains(Fidelity.Field.ARTIFACT);
            assertThat(failed.fidelity()).filteredOn(gap -> gap.field() == Fidelity.Field.ARTIFACT).singleElement()
                    .satisfies(gap -> assertThat(gap.detail()).contains("models:/m-")
                            .contains("set artifacts.mode: copy to carry it"));
        });
        // everything else is carried (the run of the other server as a tag), so the report names nothing else
        assertThat(first.outcomes(SyncOutcome.Kind.CREATED)).allSatisfy(outcome ->
                assertThat(outcome.fidelity()).isEmpty());
        // oldest first: target version N of a model is source version N (until the first unreadable one)
        assertThat(target(model(3), 5).path("source").asString()).isEqualTo(s3(model(3), 5));
        assertThat(target(model(3), 5).path("tags").toString()).contains("switchboard.source-run")
                .contains("\"key\":\"team\"");
        assertThat(TARGET.call("GET", "registered-models/get", Map.of("name", model(3))).path("registered_model")
                .path("aliases").toString()).contains("\"alias\":\"champion\"");
        assertThat(targetByAlias(model(3), "champion").path("tags").toString()).contains(key(model(3), VERSIONS));
        String directory = targetWithSourceContaining(model(3), "/dirs/" + model(3) + "/10");
        assertThat(directory).isEqualTo(SOURCE.baseUrl() + "/api/2.0/mlflow-artifacts/artifacts/dirs/" + model(3)
                + "/10");

        // a re-run of everything writes nothing to the target
        TARGET.server().resetRequests();
        SyncReport again = sync.apply(JOB, SyncService.Scope.FULL);
        assertThat(again.run().created() + again.run().updated()).isZero();
        assertThat(again.run().unchanged()).isEqualTo(MODELS * VERSIONS - loggedModels);
        assertThat(writesTo(TARGET)).isZero();

        // an alias move and a tag change move no MLflow timestamp; the incremental run carries both
        SOURCE.call("POST", "registered-models/alias", Map.of("name", model(0), "alias", "champion", "version", "49"));
        SOURCE.call("POST", "model-versions/set-tag", Map.of("name", model(1), "version", "1", "key", "reviewed",
                "value", "yes"));
        SyncReport incremental = sync.apply(JOB);
        assertThat(incremental.outcomes(SyncOutcome.Kind.UPDATED)).extracting(SyncOutcome::objectKey)
                .contains(key(model(0), 49), key(model(1), 1));
        assertThat(targetByAlias(model(0), "champion").path("source").asString()).isEqualTo(s3(model(0), 49));
        assertThat(target(model(1), 1).path("tags").toString()).contains("\"key\":\"reviewed\"")
                .contains("\"value\":\"yes\"");

        // a hub that lost its links (killed right after the creates) finds every version by its tag: no duplicate
        TARGET.server().resetRequests();
        SyncReport afterCrash = hub("hub-after-crash").apply(JOB);
        assertThat(afterCrash.run().created()).isZero();
        assertThat(writesTo(TARGET)).as("a re-linking run writes nothing").isZero();
        for (int m = 0; m < MODELS; m++) {
            assertThat(TARGET.call("GET", "model-versions/search", Map.of("filter", "name='" + model(m) + "'",
                    "max_results", 1000)).path("model_versions")).hasSize(VERSIONS - 3);
        }
    }

    private static void seed() {
        for (int m = 0; m < MODELS; m++) {
            String model = model(m);
            String run = SOURCE.createRun("train-" + model, Map.of("lr", "0.1"), Map.of("auc", 0.9));
            SOURCE.call("POST", "registered-models/create", Map.of("name", model));
            for (int v = 1; v <= VERSIONS; v++) {
                if (v % 20 == 7) {
                    SOURCE.registerLoggedModel(model, SOURCE.logModel(run, "model",
                            Map.of("MLmodel", bytes("flavors: {}\n"))));
                    continue;
                }
                String source = s3(model, v);
                if (v % 10 == 0) {
                    String path = "dirs/" + model + "/" + v;
                    SOURCE.putArtifact(path + "/MLmodel", bytes("flavors: {}\n"));
                    SOURCE.putArtifact(path + "/model.pkl", bytes("pickle " + model + v));
                    source = "mlflow-artifacts:/" + path;
                }
                SOURCE.call("POST", "model-versions/create", Map.of("name", model, "source", source, "run_id", run,
                        "tags", List.of(Map.of("key", "team", "value", "ml"))));
            }
            SOURCE.call("POST", "registered-models/alias", Map.of("name", model, "alias", "champion",
                    "version", String.valueOf(VERSIONS)));
        }
    }

    /** The target's copy of source version {@code version}, found by the source reference sync tags it with. */
    private static tools.jackson.databind.JsonNode target(String model, int version) {
        return TARGET.call("GET", "model-versions/search", Map.of("filter", "name='" + model
                        + "' and tags.`switchboard.source-ref` = '" + key(model, version) + "'", "max_results", 10))
                .path("model_versions").path(0);
    }

    private static tools.jackson.databind.JsonNode targetByAlias(String model, String alias) {
        return TARGET.call("GET", "registered-models/alias", Map.of("name", model, "alias", alias))
                .path("model_version");
    }

    private static String targetWithSourceContaining(String model, String part) {
        for (var version : TARGET.call("GET", "model-versions/search", Map.of("filter", "name='" + model + "'",
                "max_results", 1000)).path("model_versions")) {
            if (version.path("source").asString().contains(part)) {
                return version.path("source").asString();
            }
        }
        throw new AssertionError("no version of " + model + " has a source containing " + part);
    }

    private static long writesTo(MlflowFake server) {
        return server.server().getAllServeEvents().stream()
                .filter(event -> !RequestMethod.GET.equals(event.getRequest().getMethod()))
                .filter(event -> !event.getRequest().getUrl().contains("/search")).count();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String s3(String model, int version) {
        return "s3://models/" + model + "/" + version + "/model.tar.gz";
    }

    private static String key(String model, int version) {
        return "mlflow-a:model_version:" + model + "/" + version;
    }

    private static String model(int m) {
        return String.format("model-%02d", m);
    }
}
