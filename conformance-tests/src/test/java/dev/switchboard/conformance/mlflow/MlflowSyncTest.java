package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.ModelRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two MLflow servers (stateful fakes) kept in step by two sync jobs, one each way, through the MLflow connector. */
class MlflowSyncTest {

    @Fake
    static final MlflowFake TEAM_A = new MlflowFake();

    @Fake
    static final MlflowFake TEAM_B = new MlflowFake();

    @TempDir
    Path directory;

    private HikariDataSource dataSource;
    private ConnectionRegistry connections;
    private SyncService sync;

    @BeforeEach
    void openHub() {
        HubConfig config = new HubConfig(Map.of(
                "mlflow-a", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", TEAM_A.baseUrl().toString(),
                        "page-size", "2")),
                "mlflow-b", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", TEAM_B.baseUrl().toString(),
                        "page-size", "2"))),
                null, null, Map.of(
                        "a-to-b", SyncJobSpec.of("a-to-b", "mlflow-a", "mlflow-b").withPageSize(2),
                        "b-to-a", SyncJobSpec.of("b-to-a", "mlflow-b", "mlflow-a").withPageSize(2)));
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:file:" + directory.resolve("hub").toAbsolutePath());
        connections = ConnectionRegistry.open(config, ConnectorRegistry.of(List.of(new MlflowConnector())),
                Clock.systemUTC());
        sync = SyncService.of(Store.open(dataSource, Clock.systemUTC()), connections, config, Clock.systemUTC());
    }

    @AfterEach
    void closeHub() {
        connections.close();
        dataSource.close();
    }

    @Test
    void aSecondServerGetsEachVersionOnceAndARerunWritesNothing() {
        TEAM_A.createModelVersion("churn", "s3://models/churn/1");
        TEAM_A.createModelVersion("churn", "s3://models/churn/2");
        TEAM_A.createModelVersion("fraud", "s3://models/fraud/1");
        TEAM_A.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "2"));
        TEAM_A.call("POST", "model-versions/set-tag", Map.of("name", "churn", "version", "1", "key", "team",
                "value", "ml"));

        SyncReport first = sync.apply("a-to-b");
        TEAM_B.server().resetRequests();
        SyncReport again = sync.apply("a-to-b", SyncService.Scope.FULL);
        long writesOfTheRerun = writesTo(TEAM_B);

        assertThat(first.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(first.run().created()).isEqualTo(3);
        assertThat(registry("mlflow-b").getVersionByAlias("churn", "champion")).get()
                .extracting(ModelVersion::artifact).extracting(a -> a.uri().toString()).isEqualTo("s3://models/churn/2");
        assertThat(versions("mlflow-b")).hasSize(3);
        assertThat(again.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(writesOfTheRerun).isZero();
    }

    @Test
    void aMovedAliasAndANewTagAreCarriedAndCopiesDoNotComeBack() {
        TEAM_A.createModelVersion("churn", "s3://models/churn/1");
        TEAM_A.createModelVersion("churn", "s3://models/churn/2");
        TEAM_A.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "1"));
        sync.apply("a-to-b");
        TEAM_B.createModelVersion("made-in-b", "s3://models/b/1");

        TEAM_A.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", "2"));
        TEAM_A.call("POST", "model-versions/set-tag", Map.of("name", "churn", "version", "1", "key", "reviewed",
                "value", "yes"));
        SyncReport forward = sync.apply("a-to-b");
        SyncReport back = sync.apply("b-to-a");
        SyncReport forwardAgain = sync.apply("a-to-b");

        assertThat(forward.outcomes(SyncOutcome.Kind.UPDATED)).isNotEmpty();
        assertThat(registry("mlflow-b").getVersionByAlias("churn", "champion")).get()
                .extracting(v -> v.artifact().uri().toString()).isEqualTo("s3://models/churn/2");
        assertThat(registry("mlflow-b").findByExternalRef("churn",
                registry("mlflow-a").getVersion("churn", "1").orElseThrow().ref())).get()
                .satisfies(v -> assertThat(v.tags()).containsEntry("reviewed", "yes"));
        assertThat(back.outcomes(SyncOutcome.Kind.CREATED)).hasSize(1);
        assertThat(back.outcomes(SyncOutcome.Kind.SKIPPED)).hasSize(2);
        assertThat(forwardAgain.outcomes(SyncOutcome.Kind.CREATED)).isEmpty();
        assertThat(versions("mlflow-a")).hasSize(3);
        assertThat(versions("mlflow-b")).hasSize(3);
    }

    /** Versions arrive oldest first (same numbers as at the source); a run on the other server is kept as a tag. */
    @Test
    void versionsArriveInTheSourcesOrderAndTheSourceRunIsKeptAsATag() {
        String run = TEAM_A.createRun("train", Map.of("lr", "0.1"), Map.of("auc", 0.9));
        TEAM_A.call("POST", "registered-models/create", Map.of("name", "churn"));
        for (int v = 1; v <= 5; v++) {
            TEAM_A.call("POST", "model-versions/create", Map.of("name", "churn", "source", "s3://models/churn/" + v,
                    "run_id", run));
        }

        sync.apply("a-to-b");

        for (int v = 1; v <= 5; v++) {
            var copy = TEAM_B.call("GET", "model-versions/get", Map.of("name", "churn", "version", String.valueOf(v)))
                    .get("model_version");
            assertThat(copy.get("source").asString()).isEqualTo("s3://models/churn/" + v);
            assertThat(copy.get("tags").toString()).contains("\"key\":\"switchboard.source-run\"")
                    .contains("\"value\":\"mlflow-a:run:" + run + "\"");
        }
    }

    /**
     * In reference mode a server-relative source would name nothing on the other server. {@code mlflow-artifacts:/…}
     * is referenced by the source server's artifact proxy URL, which any client reads; {@code models:/m-…} has no
     * such URI without a call, so the version fails with a configuration reason and a gap that says to copy, instead
     * of MLflow's HTTP 500 retried forever.
     */
    @Test
    void aServerRelativeSourceIsReferencedByItsServersUrlOrReportedAsAGap() {
        TEAM_A.createModelVersion("churn", "mlflow-artifacts:/churn/model.bin");
        String run = TEAM_A.createRun("train", Map.of(), Map.of());
        String logged = TEAM_A.logModel(run, "model", MlflowFake.sklearnModelFiles("a"));
        TEAM_A.registerLoggedModel("fraud", logged);

        SyncReport plan = sync.plan("a-to-b");
        SyncReport report = sync.apply("a-to-b");

        assertThat(plan.outcomes()).filteredOn(o -> o.objectKey().contains("fraud")).singleElement()
                .satisfies(outcome -> assertThat(outcome.reason()).as("plan predicts what apply meets")
                        .isEqualTo("would fail: MLflow needs a source artifact URI to create a version of fraud"));

        assertThat(report.outcomes()).filteredOn(o -> o.objectKey().contains("churn")).singleElement()
                .satisfies(outcome -> {
                    assertThat(outcome.kind()).as(outcome.reason()).isEqualTo(SyncOutcome.Kind.CREATED);
                    assertThat(outcome.fidelity()).isEmpty();
                });
        assertThat(registry("mlflow-b").getVersion("churn", "1")).get().extracting(v -> v.artifact().uri().toString())
                .isEqualTo(TEAM_A.baseUrl() + "/api/2.0/mlflow-artifacts/artifacts/churn/model.bin");
        assertThat(report.outcomes()).filteredOn(o -> o.objectKey().contains("fraud")).singleElement()
                .satisfies(outcome -> {
                    assertThat(outcome.kind()).isEqualTo(SyncOutcome.Kind.FAILED);
                    assertThat(outcome.reason()).contains("needs a source artifact URI");
                    assertThat(outcome.fidelity()).extracting(gap -> gap.detail()).containsExactly("artifact models:/"
                            + logged + " is relative to mlflow-a and cannot be referenced from mlflow-b; set "
                            + "artifacts.mode: copy to carry it");
                });
    }

    /** MLflow answers HTTP 500 for a logged model it does not have: a configuration error, never retried. */
    @Test
    void anotherServersLoggedModelAsASourceIsAConfigurationErrorNotATransient500() {
        ModelVersion foreign = new ModelVersion(dev.switchboard.model.ResourceRef.of("mlflow", "mlflow-a",
                "model_version", "churn/1"), "churn", "1", null, null,
                dev.switchboard.model.ArtifactRef.of(java.net.URI.create("models:/m-0123456789abcdef")), java.util.Set.of(),
                null, null, Map.of(), Map.of(), Map.of(), null, null);

        dev.switchboard.spi.ConnectorException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.switchboard.spi.ConnectorException.class, () -> registry("mlflow-b").createVersion(foreign, "k-1"));

        assertThat(e.kind()).isEqualTo(dev.switchboard.spi.ErrorKind.CONFIGURATION);
        assertThat(e).hasMessageContaining("names logged model m-0123456789abcdef, which this server does not have "
                + "(MLflow answered HTTP 500)").hasMessageContaining("artifacts.mode: copy");
    }

    private ModelRegistry registry(String connection) {
        return connections.get(connection).modelRegistry().orElseThrow();
    }

    private List<ModelVersion> versions(String connection) {
        return registry(connection).listVersions(null, null, dev.switchboard.spi.PageRequest.first(100)).items();
    }

    private static long writesTo(MlflowFake server) {
        return server.server().getAllServeEvents().stream()
                .filter(event -> !RequestMethod.GET.equals(event.getRequest().getMethod())).count();
    }
}
