package dev.switchboard.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.kubeflow.KfpFake;
import dev.switchboard.conformance.fakes.kubeflow.KubeflowRegistryFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.core.camel.RouteFiles;
import dev.switchboard.core.camel.SwitchboardComponent;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DirectActionDispatcher;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.spi.EventSource;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The shipped route {@code kfp-run-to-kubeflow-registry} end to end: a KFP run (the kit's KFP fake) finishes, the
 * hub polls it through the Kubeflow Pipelines connector into the inbox, the route registers the version in the
 * Kubeflow Model Registry (the kit's registry fake) with lineage, and the artifact's SHA-256 is read from S3
 * (S3Proxy) through the s3 connection.
 */
class KfpToKubeflowRegistryFlowTest {

    @Fake
    static final KfpFake KFP = new KfpFake();
    @Fake
    static final KubeflowRegistryFake REGISTRY = new KubeflowRegistryFake();
    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("models");
    /** For the folder's other route, {@code kfp-run-to-mlflow} (see {@link KfpToMlflowFlowTest}). */
    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    static final Path SHIPPED_ROUTES = Path.of("src/main/resources/routes/kubeflow");
    static final byte[] MODEL = new byte[64 * 1024 + 7];

    static {
        new Random(7).nextBytes(MODEL);
    }

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private DefaultCamelContext camel;
    private String pipelineId;
    private String versionId;

    @BeforeEach
    void start() throws Exception {
        List<String> pipeline = KFP.addPipeline("train-churn");
        pipelineId = pipeline.get(0);
        versionId = pipeline.get(1);
        KFP.requireBearer("kfp-token");
        REGISTRY.requireBearer("mr-token");
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "kfp-prod", new HubConfig.ConnectionSpec("kubeflow-pipelines", Map.of("url", KFP.baseUrl().toString(),
                        "token", "kfp-token", "page-size", "2")),
                "kf-registry", new HubConfig.ConnectionSpec("kubeflow-registry", Map.of("url",
                        REGISTRY.baseUrl().toString(), "token", "mr-token")),
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url",
                        MLFLOW.baseUrl().toString())),
                "s3-models", new HubConfig.ConnectionSpec("s3", Map.of("bucket-prefix", "s3://models",
                        "region", S3ProxyServer.REGION, "endpoint-override", S3.endpoint().toString(),
                        "path-style", "true", "access-key-id", S3ProxyServer.ACCESS_KEY_ID,
                        "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY))),
                directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new DirectActionDispatcher(connections)));
        List<Path> loaded = RouteFiles.load(camel, SHIPPED_ROUTES);
        assertThat(loaded).extracting(p -> p.getFileName().toString()).contains("kfp-run-to-kubeflow-registry.camel.yaml");
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        connections.close();
        TestDatabases.close(dataSource);
    }

    @Test
    void succeededRunIsRegisteredWithLineageAndTheArtifactDigestOnce() throws Exception {
        EventSource kfp = connections.get("kfp-prod").eventSource().orElseThrow();
        String cursor = kfp.poll(null).cursor();
        URI modelUri = URI.create("s3://models/churn/run-1/model.joblib");
        connections.get("s3-models").artifactStore().orElseThrow()
                .write(modelUri, new ByteArrayInputStream(MODEL), MODEL.length, null);
        String runId = KFP.createRun(pipelineId, "train churn 2024-06", Map.of("model_name", "churn",
                "model_uri", modelUri.toString(), "epochs", 20, "learning_rate", 0.01));
        KFP.setState(runId, "RUNNING");
        KFP.setState(runId, "PAUSED");
        assertThat(kfp.poll(cursor).events()).as("a paused run is not finished").isEmpty();
        KFP.finishRun(runId, "SUCCEEDED");
        String failedRun = KFP.createRun(pipelineId, "broken", Map.of("model_name", "churn",
                "model_uri", "s3://models/churn/broken/model.joblib"));
        KFP.finishRun(failedRun, "FAILED");

        EventSource.PollResult polled = kfp.poll(cursor);
        List<StoredEvent> stored = store.inbox().append(polled.events());
        assertThat(stored).hasSize(2);
        awaitOutcome(stored.get(0), Outcome.DONE);
        awaitOutcome(stored.get(1), Outcome.FILTERED);
        assertThat(store.inbox().append(kfp.poll(cursor).events())).as("the same poll again").isEmpty();

        JsonNode version = REGISTRY.versions().stream().filter(v -> !v.path("name").asString().isEmpty())
                .reduce((a, b) -> b).orElseThrow();
        assertThat(REGISTRY.versions()).hasSize(1);
        assertThat(REGISTRY.models()).singleElement().satisfies(m -> assertThat(m.path("name").asString()).isEqualTo("churn"));
        assertThat(version.path("name").asString()).isEqualTo("1");
        JsonNode props = version.path("customProperties");
        assertThat(props.path("kfp.run_id").path("string_value").asString()).isEqualTo(runId);
        assertThat(props.path("kfp.pipeline").path("string_value").asString()).isEqualTo("train-churn");
        assertThat(props.path("kfp.pipeline_version_id").path("string_value").asString()).isEqualTo(versionId);
        assertThat(props.path("kfp.run_name").path("string_value").asString()).isEqualTo("train churn 2024-06");
        assertThat(props.path("switchboard.param.epochs").path("string_value").asString()).isEqualTo("20");
        assertThat(props.path("switchboard.param.learning_rate").path("string_value").asString()).isEqualTo("0.01");
        assertThat(props.path("switchboard.source_run").path("string_value").asString()).contains(runId);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(MODEL));
        assertThat(REGISTRY.artifacts()).singleElement().satisfies(artifact -> {
            assertThat(artifact.path("uri").asString()).isEqualTo(modelUri.toString());
            assertThat(artifact.path("modelSourceKind").asString()).isEqualTo("kfp");
            assertThat(artifact.path("modelSourceClass").asString()).isEqualTo("pipelinerun");
            assertThat(artifact.path("modelSourceId").asString()).isEqualTo(runId);
            assertThat(artifact.path("modelFormatName").asString()).isEqualTo("sklearn");
            assertThat(artifact.path("customProperties").path("switchboard.digest").path("string_value").asString())
                    .isEqualTo("SHA_256:" + sha256);
        });
        assertThat(REGISTRY.listsWithoutPageSize()).isZero();
    }

    private void awaitOutcome(StoredEvent stored, Outcome outcome) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .anySatisfy(entry -> assertThat(entry.toList())
                                .containsExactly("kfp-run-to-kubeflow-registry", outcome)));
    }
}
