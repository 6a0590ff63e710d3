package dev.switchboard.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.kubeflow.KfpFake;
import dev.switchboard.conformance.fakes.kubeflow.KubeflowRegistryFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.core.camel.RouteFiles;
import dev.switchboard.core.camel.RouteValidator;
import dev.switchboard.core.camel.SwitchboardComponent;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.Attempt;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.core.delivery.Delivery;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.delivery.OutboxActionDispatcher;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.EventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
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
 * The shipped routes of {@code routes/kubeflow} as the hub runs them, each step a durable delivery with retries: a
 * KFP run (the kit's KFP fake) finishes SUCCEEDED, the hub polls it into the inbox, {@code kfp-run-to-mlflow}
 * registers the version in MLflow (the kit's MLflow fake) with lineage and the SHA-256 read from S3 (S3Proxy), and
 * {@code kfp-run-to-kubeflow-registry} registers it in the Kubeflow Model Registry. A redelivered run, and transient
 * faults in every tool on the way (429 with Retry-After, 503, connection resets, answers lost to a timeout), end in
 * exactly one version in each registry.
 */
class KfpToMlflowFlowTest {

    @Fake
    static final KfpFake KFP = new KfpFake();
    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();
    @Fake
    static final KubeflowRegistryFake REGISTRY = new KubeflowRegistryFake();
    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("models");

    static final Path SHIPPED_ROUTES = Path.of("src/main/resources/routes/kubeflow");
    static final String MLFLOW_ROUTE = "kfp-run-to-mlflow";
    static final String REGISTRY_ROUTE = "kfp-run-to-kubeflow-registry";
    static final byte[] MODEL = new byte[32 * 1024 + 3];

    static {
        new Random(11).nextBytes(MODEL);
    }

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private Outbox outbox;
    private DeliveryEngine engine;
    private DefaultCamelContext camel;
    private String pipelineId;
    private String pipelineVersionId;

    @BeforeEach
    void start() throws Exception {
        List<String> pipeline = KFP.addPipeline("train-churn");
        pipelineId = pipeline.get(0);
        pipelineVersionId = pipeline.get(1);
        KFP.requireBearer("kfp-token");
        REGISTRY.requireBearer("mr-token");
        MLFLOW.requireBearer("mlflow-token");
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "kfp-prod", new HubConfig.ConnectionSpec("kubeflow-pipelines", Map.of("url", KFP.baseUrl().toString(),
                        "token", "kfp-token", "page-size", "2")),
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url",
                        MLFLOW.baseUrl().toString(), "token", "mlflow-token", "request-timeout", "2s")),
                "kf-registry", new HubConfig.ConnectionSpec("kubeflow-registry", Map.of("url",
                        REGISTRY.baseUrl().toString(), "token", "mr-token", "request-timeout", "2s")),
                "s3-models", new HubConfig.ConnectionSpec("s3", Map.of("bucket-prefix", "s3://models",
                        "region", S3ProxyServer.REGION, "endpoint-override", S3.endpoint().toString(),
                        "path-style", "true", "access-key-id", S3ProxyServer.ACCESS_KEY_ID,
                        "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY))),
                directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        for (String file : List.of(MLFLOW_ROUTE + RouteFiles.SUFFIX, REGISTRY_ROUTE + RouteFiles.SUFFIX)) {
            assertThat(new RouteValidator(connections).validate(file,
                    Files.readString(SHIPPED_ROUTES.resolve(file))).problems()).as(file).isEmpty();
        }
        outbox = new Outbox(store, Clock.systemUTC());
        engine = new DeliveryEngine(store, outbox, connections, new DeadLetters(store, outbox, Clock.systemUTC()),
                new DeliveryEngine.Settings(8, Duration.ofMillis(50), Duration.ofMillis(500), 8, Duration.ofSeconds(30),
                        Duration.ofMillis(50)), new SimpleMeterRegistry(), Clock.systemUTC());
        engine.start();
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new OutboxActionDispatcher(outbox)));
        assertThat(RouteFiles.load(camel, SHIPPED_ROUTES)).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(MLFLOW_ROUTE + RouteFiles.SUFFIX, REGISTRY_ROUTE + RouteFiles.SUFFIX);
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        engine.stop();
        connections.close();
        TestDatabases.close(dataSource);
    }

    @Test
    void succeededRunIsRegisteredInMlflowWithLineageAndTheVerifiedDigestOnce() throws Exception {
        EventSource kfp = connections.get("kfp-prod").eventSource().orElseThrow();
        String cursor = kfp.poll(null).cursor();
        URI modelUri = writeModel("run-1");
        String runId = KFP.createRun(pipelineId, "train churn 2024-06", Map.of("model_name", "churn",
                "model_uri", modelUri.toString(), "epochs", 20));
        KFP.finishRun(runId, "SUCCEEDED");
        String failed = KFP.createRun(pipelineId, "broken", Map.of("model_name", "churn",
                "model_uri", "s3://models/churn/broken/model.joblib"));
        KFP.finishRun(failed, "FAILED");

        List<StoredEvent> stored = store.inbox().append(kfp.poll(cursor).events());
        assertThat(stored).hasSize(2);
        awaitOutcome(stored.get(0), MLFLOW_ROUTE, Outcome.DONE);
        awaitOutcome(stored.get(0), REGISTRY_ROUTE, Outcome.DONE);
        awaitOutcome(stored.get(1), MLFLOW_ROUTE, Outcome.FILTERED);
        assertThat(store.inbox().append(kfp.poll(cursor).events())).as("the same runs polled again").isEmpty();

        JsonNode version = onlyMlflowVersion();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(MODEL));
        assertThat(version.get("source").asString()).isEqualTo(modelUri.toString());
        assertThat(tags(version)).containsEntry("kfp.run_id", runId).containsEntry("kfp.pipeline", "train-churn")
                .containsEntry("kfp.pipeline_version_id", pipelineVersionId)
                .containsEntry("kfp.run_name", "train churn 2024-06").containsEntry("kfp.param.epochs", "20")
                .containsEntry("kfp.param.model_uri", modelUri.toString())
                .containsEntry("switchboard.digest", "SHA_256:" + sha256)
                .containsEntry("switchboard.source-run", "kfp-prod:pipeline_run:" + runId);
        assertThat(REGISTRY.versions()).as("the other shipped route, on the same event").hasSize(1);
        assertThat(steps(MLFLOW_ROUTE)).singleElement()
                .satisfies(step -> assertThat(step.status()).isEqualTo(Delivery.Status.DELIVERED));
    }

    @Test
    void transientFaultsOnTheWayStillRegisterOneVersionInEachRegistry() throws Exception {
        EventSource kfp = connections.get("kfp-prod").eventSource().orElseThrow();
        String cursor = kfp.poll(null).cursor();
        String runId = KFP.createRun(pipelineId, "train churn", Map.of("model_name", "churn",
                "model_uri", writeModel("run-2").toString()));
        KFP.finishRun(runId, "SUCCEEDED");

        // KFP's poll: the gateway is unavailable, then rate limits; both are worth a retry of the poll.
        KFP.faults().serverError(503, 1, "/runs").rateLimited(Duration.ofSeconds(2), 1, "/runs");
        ConnectorException unavailable = catchThrowableOfType(ConnectorException.class, () -> kfp.poll(cursor));
        ConnectorException limited = catchThrowableOfType(ConnectorException.class, () -> kfp.poll(cursor));
        assertThat(unavailable.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(limited.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(2));
        // MLflow: its idempotency lookup is rate limited; then the create of the version is performed but its answer
        // arrives after the 2 s request timeout (the first create, answered 404 for the missing model, is not).
        MLFLOW.faults().rateLimited(Duration.ofSeconds(1), 1, "model-versions/search")
                .slow(Duration.ZERO, 1, "model-versions/create").slow(Duration.ofSeconds(4), 1, "model-versions/create");
        // The registry: the create of the version fails with 503, the next one is performed but its answer is lost,
        // and the connection of a lookup is reset twice (the JDK client repeats a reset GET once by itself).
        REGISTRY.faults().serverError(503, 1, "/model_versions").slow(Duration.ofSeconds(4), 1, "/model_versions")
                .connectionReset(2, "/registered_model");

        StoredEvent run = store.inbox().append(kfp.poll(cursor).events()).get(0);

        awaitOutcome(run, MLFLOW_ROUTE, Outcome.DONE);
        awaitOutcome(run, REGISTRY_ROUTE, Outcome.DONE);
        assertThat(MLFLOW.faults().pending()).isZero();
        assertThat(REGISTRY.faults().pending()).isZero();
        assertThat(tags(onlyMlflowVersion())).containsEntry("kfp.run_id", runId);
        assertThat(REGISTRY.versions()).singleElement().satisfies(v -> assertThat(v.path("customProperties")
                .path("kfp.run_id").path("string_value").asString()).isEqualTo(runId));
        assertThat(REGISTRY.artifacts()).hasSize(1);
        for (String route : List.of(MLFLOW_ROUTE, REGISTRY_ROUTE)) {
            assertThat(steps(route)).as(route).singleElement().satisfies(step -> {
                assertThat(step.status()).isEqualTo(Delivery.Status.DELIVERED);
                List<Attempt> attempts = outbox.attempts(step.id());
                assertThat(attempts).as("%s: failed attempts, then the one that found or made the version", route)
                        .hasSizeGreaterThanOrEqualTo(3);
                assertThat(attempts.get(0).outcome()).isNotEqualTo(Attempt.Outcome.DELIVERED);
                assertThat(attempts.get(attempts.size() - 1).outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
            });
        }
    }

    private URI writeModel(String run) {
        URI uri = URI.create("s3://models/churn/" + run + "/model.joblib");
        connections.get("s3-models").artifactStore().orElseThrow()
                .write(uri, new ByteArrayInputStream(MODEL), MODEL.length, null);
        return uri;
    }

    private static JsonNode onlyMlflowVersion() {
        JsonNode versions = MLFLOW.call("GET", "model-versions/search", Map.of("filter", "name = 'churn'"))
                .path("model_versions");
        assertThat(versions).as("versions of churn in MLflow").hasSize(1);
        return versions.get(0);
    }

    private static Map<String, String> tags(JsonNode version) {
        Map<String, String> tags = new HashMap<>();
        version.path("tags").forEach(tag -> tags.put(tag.get("key").asString(), tag.get("value").asString()));
        return tags;
    }

    private List<Delivery> steps(String route) {
        return outbox.list(null, null, null, 100).stream().filter(d -> route.equals(d.routeId())).toList();
    }

    private void awaitOutcome(StoredEvent stored, String route, Outcome outcome) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .anySatisfy(entry -> assertThat(entry.toList()).containsExactly(route, outcome)));
    }
}
