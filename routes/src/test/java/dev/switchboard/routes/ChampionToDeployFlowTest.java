package dev.switchboard.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.github.GitHubFake;
import dev.switchboard.conformance.fakes.github.GitHubWebhookSender;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowWebhookSender;
import dev.switchboard.conformance.fakes.openlineage.FakeOpenLineage;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.camel.RouteFiles;
import dev.switchboard.core.camel.SwitchboardComponent;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.Attempt;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.delivery.DeadLetterFilter;
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
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.PageRequest;
import dev.switchboard.spi.WebhookRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The shipped routes {@code champion-to-sagemaker-and-deploy} and {@code ci-result-to-mlflow-tag}, end to end, as
 * a user would copy them: real connectors, the hub's store on H2, the routes loaded from
 * {@code src/main/resources/routes} into a Camel context with the {@code switchboard:} component, and every tool
 * played by the kit (MLflow, SageMaker and GitHub fakes, S3 by S3Proxy). Webhooks come in through each
 * connector's {@code EventSource} into the inbox, as the hub's ingress stores them.
 */
class ChampionToDeployFlowTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();
    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();
    @Fake
    static final GitHubFake GITHUB = new GitHubFake();
    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("models");
    static FakeOpenLineage lineage;

    static final Path SHIPPED_ROUTES = Path.of("src/main/resources/routes");
    static final String MLFLOW_SECRET = "e2e-mlflow-webhook-secret";
    static final String GITHUB_SECRET = "e2e-github-webhook-secret";
    static final String GITHUB_TOKEN = "github_pat_e2e";
    static final byte[] MODEL = new byte[256 * 1024 + 3];

    static {
        new Random(42).nextBytes(MODEL);
    }

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private Outbox outbox;
    private DeadLetters deadLetters;
    private DeliveryEngine engine;
    private DefaultCamelContext camel;

    @BeforeAll
    static void startLineage() throws IOException {
        lineage = new FakeOpenLineage();
    }

    @AfterAll
    static void stopLineage() {
        lineage.close();
    }

    @BeforeEach
    void start() throws Exception {
        MLFLOW.registerWebhook(null, MLFLOW_SECRET);
        GITHUB.requireToken(GITHUB_TOKEN).registerWebhook(null, GITHUB_SECRET)
                .addWorkflow("acme/deploy", "deploy.yml", "deploy model=${{ inputs.model }} version=${{ inputs.version }}",
                        "model", "version", "alias");
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", MLFLOW.baseUrl().toString(),
                        "webhook-secret", MLFLOW_SECRET)),
                "s3-models", new HubConfig.ConnectionSpec("s3", Map.of("bucket-prefix", "s3://models",
                        "region", S3ProxyServer.REGION, "endpoint-override", S3.endpoint().toString(),
                        "path-style", "true", "access-key-id", S3ProxyServer.ACCESS_KEY_ID,
                        "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY)),
                "sagemaker-prod", new HubConfig.ConnectionSpec("sagemaker", Map.of("region", "eu-west-1",
                        "endpoint-override", SAGEMAKER.endpoint().toString(), "access-key-id", "AKIAE2E",
                        "secret-access-key", "e2e-secret", "max-attempts", "1")),
                "github-deploy", new HubConfig.ConnectionSpec("github", Map.of("api-url", GITHUB.apiUrl().toString(),
                        "token", GITHUB_TOKEN, "repository", "acme/deploy", "webhook-secret", GITHUB_SECRET)),
                "lineage", new HubConfig.ConnectionSpec("openlineage", Map.of("url", lineage.url()))),
                directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        // As the hub runs them: each step a durable delivery, performed by the engine, before the next step starts.
        outbox = new Outbox(store, Clock.systemUTC());
        deadLetters = new DeadLetters(store, outbox, Clock.systemUTC());
        engine = new DeliveryEngine(store, outbox, connections, deadLetters, new DeliveryEngine.Settings(2,
                Duration.ofMillis(50), Duration.ofMillis(200), 8, Duration.ofSeconds(30), Duration.ofMillis(50)),
                new SimpleMeterRegistry(), Clock.systemUTC());
        engine.start();
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new OutboxActionDispatcher(outbox)));
        assertThat(RouteFiles.load(camel, SHIPPED_ROUTES)).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("champion-to-sagemaker-and-deploy.camel.yaml",
                        "ci-result-to-mlflow-tag.camel.yaml");
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
    void championAliasIsCopiedRegisteredApprovedDeployedAndTaggedWithTheDeployOutcome() throws Exception {
        MLFLOW.putArtifact("churn/model.tar.gz", MODEL);
        String version = MLFLOW.createModelVersion("churn", "mlflow-artifacts:/churn/model.tar.gz");
        MlflowWebhookSender.Delivery aliasSet = setAlias("churn", "champion", version);
        StoredEvent alias = receive("mlflow-prod", aliasSet).get(0);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.DONE);
        assertThat(receive("mlflow-prod", aliasSet)).as("a redelivery of the alias webhook").isEmpty();
        URI copy = URI.create("s3://models/churn/" + version + "/model.tar.gz");
        ArtifactRef inS3 = connections.get("s3-models").artifactStore().orElseThrow().stat(copy).orElseThrow();
        assertThat(inS3.digest()).isEqualTo(Digest.sha256(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(MODEL))));
        assertThat(inS3.size()).isEqualTo(MODEL.length);
        JsonNode registered = SAGEMAKER.describe("churn", 1);
        assertThat(registered.path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(registered.path("InferenceSpecification").path("Containers").path(0).path("ModelDataUrl").asString())
                .isEqualTo(copy.toString());
        assertThat(GITHUB.dispatches()).singleElement().satisfies(dispatch -> {
            assertThat(dispatch.workflow()).isEqualTo("deploy.yml");
            assertThat(dispatch.inputs()).containsEntry("model", "churn").containsEntry("version", version)
                    .containsEntry("alias", "champion");
        });

        GITHUB.completeRun(GITHUB.dispatches().get(0).runId(), "success");
        List<StoredEvent> ci = GITHUB.sentWebhooks().stream().flatMap(d -> receive("github-deploy", d).stream()).toList();
        StoredEvent finished = ci.get(ci.size() - 1);

        awaitOutcome(finished, "ci-result-to-mlflow-tag", Outcome.DONE);
        assertThat(GITHUB.dispatches()).as("dispatches after the whole flow").hasSize(1);
        assertThat(SAGEMAKER.packages("churn")).as("packages after the whole flow").hasSize(1);
        JsonNode tags = MLFLOW.call("GET", "model-versions/get", Map.of("name", "churn", "version", version))
                .path("model_version").path("tags");
        assertThat(tags.toString()).contains("\"key\":\"deploy.status\"").contains("\"value\":\"succeeded\"");
    }

    /**
     * A model logged the usual way is a directory, and MLflow 3 registers it as {@code models:/m-<id>}: the route's
     * copy resolves the logged model, packs the directory into the {@code .tar.gz} SageMaker wants and registers it.
     */
    @Test
    void championOfALoggedModelDirectoryIsPackedToS3AndRegistered() throws Exception {
        String run = MLFLOW.createRun("train", Map.of("lr", "0.1"), Map.of("auc", 0.93));
        Map<String, byte[]> files = MlflowFake.sklearnModelFiles("churn");
        String version = MLFLOW.registerLoggedModel("churn", MLFLOW.logModel(run, "churn", files));
        StoredEvent alias = receive("mlflow-prod", setAlias("churn", "champion", version)).get(0);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.DONE);
        URI copy = URI.create("s3://models/churn/" + version + "/model.tar.gz");
        var s3 = connections.get("s3-models").artifactStore().orElseThrow();
        byte[] archive;
        try (var in = s3.open(copy)) {
            archive = in.readAllBytes();
        }
        String tar = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(archive))
                .readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        files.forEach((name, bytes) -> {
            assertThat(tar).as("archive entry " + name).contains(name)
                    .contains(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
        });
        assertThat(SAGEMAKER.describe("churn", 1).path("InferenceSpecification").path("Containers").path(0)
                .path("ModelDataUrl").asString()).isEqualTo(copy.toString());
        assertThat(SAGEMAKER.describe("churn", 1).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
    }

    @Test
    void eachStepStartsOnlyAfterTheOneBeforeItWasDeliveredAndRegisterUsesTheCopysUri() {
        MLFLOW.putArtifact("scoring/model.tar.gz", MODEL);
        String version = MLFLOW.createModelVersion("scoring", "mlflow-artifacts:/scoring/model.tar.gz");
        StoredEvent alias = receive("mlflow-prod", setAlias("scoring", "champion", version)).get(0);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.DONE);
        List<Delivery> steps = stepsOf(alias);
        assertThat(steps).extracting(Delivery::action).containsExactly("copy-artifact", "register-model-version",
                "set-approval", "dispatch-workflow");
        for (int i = 1; i < steps.size(); i++) {
            Attempt before = outbox.attempts(steps.get(i - 1).id()).get(0);
            assertThat(before.outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
            assertThat(steps.get(i).createdAt()).as("step %d was enqueued after step %d was delivered", i + 1, i)
                    .isAfterOrEqualTo(before.finishedAt());
        }
        assertThat(steps.get(1).parameters()).as("register got the copy's URI from step 1's result")
                .containsEntry("model-data-url", "s3://models/scoring/" + version + "/model.tar.gz");
    }

    @Test
    void aFailingCopyRegistersNothingAndDeadLettersTheCopyStepAndReplayFinishesTheRestOnce() {
        String version = MLFLOW.createModelVersion("ranking", "mlflow-artifacts:/ranking/model.tar.gz");
        StoredEvent alias = receive("mlflow-prod", setAlias("ranking", "champion", version)).get(0);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.DEAD);
        assertThat(store.routeProgress().outcomes(alias.seq())).filteredOn(e -> e.routeId().startsWith("champion"))
                .singleElement().satisfies(entry -> assertThat(entry.step()).isEqualTo(1));
        DeadLetter deadLetter = deadLetters.list(DeadLetterFilter.all().onlyOpen(true), PageRequest.first(10)).items()
                .get(0);
        assertThat(deadLetter.reason()).startsWith("route champion-to-sagemaker-and-deploy step 1 "
                + "(switchboard:hub/copy-artifact)");
        assertThat(SAGEMAKER.packages("ranking")).as("nothing registered").isEmpty();
        assertThat(GITHUB.dispatches()).as("nothing deployed").isEmpty();
        assertThat(stepsOf(alias)).extracting(Delivery::action).containsExactly("copy-artifact");

        MLFLOW.putArtifact("ranking/model.tar.gz", MODEL); // the source is fixed
        assertThat(deadLetters.replay(deadLetter.id()).outcome()).isEqualTo(DeadLetters.ReplayOutcome.REPLAYED);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.DONE);
        assertThat(SAGEMAKER.packages("ranking")).hasSize(1);
        assertThat(SAGEMAKER.describe("ranking", 1).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(GITHUB.dispatches()).filteredOn(d -> "ranking".equals(d.inputs().get("model"))).hasSize(1);
        List<Delivery> steps = stepsOf(alias);
        assertThat(steps).extracting(Delivery::action).containsExactly("copy-artifact", "register-model-version",
                "set-approval", "dispatch-workflow");
        assertThat(steps).allSatisfy(step -> assertThat(step.status()).isEqualTo(Delivery.Status.DELIVERED));
        assertThat(steps.subList(1, 4)).as("the remaining steps, once each")
                .allSatisfy(step -> assertThat(outbox.attempts(step.id())).hasSize(1));
    }

    /** The deliveries the champion route made for an event, in the order they were enqueued. */
    private List<Delivery> stepsOf(StoredEvent alias) {
        return outbox.list(null, null, null, 100).stream()
                .filter(d -> alias.seq() == (d.eventSeq() == null ? -1 : d.eventSeq()))
                .filter(d -> "champion-to-sagemaker-and-deploy".equals(d.routeId()))
                .sorted(java.util.Comparator.comparingLong(Delivery::id)).toList();
    }

    /**
     * The example {@code champion-lineage} route (examples/openlineage) beside the shipped ones: the promotion is one
     * OpenLineage run, START then COMPLETE, valid against the published schema, with the promoted version as input
     * and its S3 copy as output.
     */
    @Test
    void thePromotionIsReportedAsOneValidOpenLineageRunWithItsVersionAndCopy() throws Exception {
        RouteFiles.load(camel, Path.of("../examples/openlineage/routes"));
        MLFLOW.putArtifact("lineage/model.tar.gz", MODEL);
        String version = MLFLOW.createModelVersion("lineage", "mlflow-artifacts:/lineage/model.tar.gz");
        StoredEvent alias = receive("mlflow-prod", setAlias("lineage", "champion", version)).get(0);

        awaitOutcome(alias, "champion-lineage", Outcome.DONE);
        List<JsonNode> run = lineage.events().stream()
                .filter(event -> event.path("job").path("name").asString().equals("champion-promotion")).toList();
        assertThat(lineage.refusals()).as("every event valid against the OpenLineage schema").isEmpty();
        assertThat(run).extracting(event -> event.path("eventType").asString()).containsExactly("START", "COMPLETE");
        assertThat(run.get(1).path("run").path("runId").asString()).as("one run")
                .isEqualTo(run.get(0).path("run").path("runId").asString());
        assertThat(run.get(1).path("inputs").toString())
                .contains("\"namespace\":\"switchboard://mlflow-prod\"", "\"name\":\"models/lineage/versions/" + version + "\"");
        assertThat(run.get(1).path("outputs").toString())
                .contains("\"namespace\":\"s3://models\"", "\"name\":\"lineage/" + version + "/lineage/model.tar.gz\"");
    }

    @Test
    void otherAliasesAreFilteredAndDeployNothing() {
        String version = MLFLOW.createModelVersion("churn", "mlflow-artifacts:/churn/model.tar.gz");
        StoredEvent alias = receive("mlflow-prod", setAlias("churn", "challenger", version)).get(0);

        awaitOutcome(alias, "champion-to-sagemaker-and-deploy", Outcome.FILTERED);
        assertThat(GITHUB.dispatches()).isEmpty();
        assertThat(SAGEMAKER.events()).isEmpty();
    }

    private static MlflowWebhookSender.Delivery setAlias(String model, String alias, String version) {
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", model, "alias", alias, "version", version));
        List<MlflowWebhookSender.Delivery> sent = MLFLOW.sentWebhooks();
        return sent.get(sent.size() - 1);
    }

    /** What the hub's ingress does with a webhook: verify and translate it, then store the events in the inbox. */
    private List<StoredEvent> receive(String connection, WebhookRequest request) {
        return store.inbox().append(connections.get(connection).eventSource().orElseThrow().receive(request));
    }

    private List<StoredEvent> receive(String connection, MlflowWebhookSender.Delivery delivery) {
        return receive(connection, delivery.toRequest(connection, Instant.now()));
    }

    private List<StoredEvent> receive(String connection, GitHubWebhookSender.Delivery delivery) {
        return receive(connection, delivery.toRequest(connection, Instant.now()));
    }

    private void awaitOutcome(StoredEvent stored, String routeId, Outcome outcome) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome, RouteProgress.Entry::detail)
                        .anySatisfy(entry -> assertThat(entry.toList().subList(0, 2)).containsExactly(routeId, outcome)));
    }
}
