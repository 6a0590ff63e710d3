package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Run;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.ExperimentTracker;
import dev.switchboard.spi.PageRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs, their lineage on model versions, and run artifacts through the tracking server's artifact proxy. */
class MlflowLineageAndArtifactsTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    private Connection connection;

    @BeforeEach
    void open() {
        connection = new MlflowConnector().open(new ConnectionConfig("mlflow-prod", "mlflow",
                        Map.of("tracking-url", MLFLOW.baseUrl().toString())),
                new ConnectorContext(MLFLOW.clock(), ArtifactResolver.NONE));
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void versionCarriesTheParamsAndMetricsOfItsSourceRun() {
        String runId = MLFLOW.createRun("bold-owl-42", Map.of("lr", "0.01"), Map.of("rmse", 0.71));
        ResourceRef run = ResourceRef.of("mlflow", "mlflow-prod", "run", runId);
        ModelVersion created = connection.modelRegistry().orElseThrow()
                .createVersion(new ModelRegistryFixtures().version("churn", run), "key-lineage");

        ModelVersion read = connection.modelRegistry().orElseThrow().getVersion("churn", created.version()).orElseThrow();

        assertThat(read.sourceRun()).isEqualTo(run);
        assertThat(read.params()).containsEntry("lr", "0.01");
        assertThat(read.metrics()).containsEntry("rmse", 0.71);
    }

    @Test
    void runsAreReadAndSearchedSinceATime() {
        ExperimentTracker tracker = connection.experimentTracker().orElseThrow();
        MLFLOW.freezeClock(Instant.parse("2026-03-01T10:00:00Z"));
        MLFLOW.createRun("early", Map.of(), Map.of());
        MLFLOW.freezeClock(Instant.parse("2026-03-01T11:00:00Z"));
        String late = MLFLOW.createRun("late", Map.of("epochs", "3"), Map.of());

        Run run = tracker.getRun(late).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.params()).containsEntry("epochs", "3");
        assertThat(run.artifactUri()).hasToString("mlflow-artifacts:/0/" + late + "/artifacts");
        assertThat(tracker.getRun("no-such-run")).isEmpty();
        assertThat(tracker.getExperiment("0")).get().extracting(e -> e.name()).isEqualTo("Default");

        List<Run> since = tracker.searchRuns(List.of("0"), Instant.parse("2026-03-01T10:30:00Z"),
                PageRequest.first(10)).items();
        assertThat(since).extracting(Run::name).containsExactly("late");
    }

    @Test
    void runArtifactIsStatedAndStreamedThroughTheProxy() throws IOException {
        String runId = MLFLOW.createRun("with-model", Map.of(), Map.of());
        byte[] content = "artifact_path: model\nflavors: {}\n".getBytes(StandardCharsets.UTF_8);
        MLFLOW.putArtifact("0/" + runId + "/artifacts/model/MLmodel", content);
        ArtifactStore store = connection.artifactStore().orElseThrow();
        URI uri = URI.create("runs:/" + runId + "/model/MLmodel");

        assertThat(store.serves(uri)).isTrue();
        assertThat(store.stat(uri)).get().extracting(a -> a.size()).isEqualTo((long) content.length);
        try (InputStream in = store.open(uri)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(store.serves(URI.create(MLFLOW.baseUrl() + "/api/2.0/mlflow-artifacts/artifacts/0/x"))).isTrue();
        assertThat(store.serves(URI.create("mlflow-artifacts://other-host/0/x"))).isFalse();
    }

    @Test
    void runWhoseArtifactsTheProxyDoesNotServeIsAConfigurationError() {
        String runId = MLFLOW.call("POST", "experiments/create", Map.of("name", "s3-backed",
                "artifact_location", "s3://bucket/exp")).get("experiment_id").asString();
        String run = MLFLOW.call("POST", "runs/create", Map.of("experiment_id", runId)).get("run").get("info")
                .get("run_id").asString();
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> connection.artifactStore().orElseThrow().open(URI.create("runs:/" + run + "/model.pkl")));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("s3://bucket/exp").contains("does not proxy");
    }
}
