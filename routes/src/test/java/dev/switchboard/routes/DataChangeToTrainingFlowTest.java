package dev.switchboard.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.github.GitHubFake;
import dev.switchboard.conformance.fakes.kubeflow.KfpFake;
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
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.assertj.core.groups.Tuple;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The shipped routes {@code data-change-to-training} and {@code data-change-to-kfp-training}, end to end: a DVC
 * project in a Git repository (built with JGit), a signed GitHub {@code push} webhook through the DVC connector's
 * {@code EventSource} into the inbox, the routes loaded as shipped and run as the hub runs them (each step a durable
 * delivery performed by the delivery engine), the training workflow dispatched on the kit's GitHub fake and one
 * training run started on the kit's Kubeflow Pipelines fake, each with the data version's path, md5 and commit.
 */
class DataChangeToTrainingFlowTest {

    @Fake
    static final GitHubFake GITHUB = new GitHubFake();
    @Fake
    static final KfpFake KFP = new KfpFake();

    static final Path SHIPPED_ROUTES = Path.of("src/main/resources/routes/dvc");
    static final String PUSH_SECRET = "e2e-dvc-push-secret";
    static final String GITHUB_TOKEN = "github_pat_e2e";
    static final String KFP_TOKEN = "kfp-e2e-token";
    static final String KFP_ROUTE = "data-change-to-kfp-training";

    @TempDir
    Path directory;

    private Git repo;
    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private Outbox outbox;
    private DeliveryEngine engine;
    private DefaultCamelContext camel;
    private String pipelineId;

    @BeforeEach
    void start() throws Exception {
        repo = Git.init().setDirectory(directory.resolve("data-repo").toFile()).setInitialBranch("main").call();
        GITHUB.requireToken(GITHUB_TOKEN).addWorkflow("acme/train", "train.yml", "train on ${{ inputs.commit }}",
                "path", "md5", "commit");
        // The pipeline the shipped route names, under the id it names, so the file is loaded exactly as shipped.
        pipelineId = shippedPipelineId();
        KFP.requireBearer(KFP_TOKEN).addPipeline(pipelineId, "train");
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "dvc-data", new HubConfig.ConnectionSpec("dvc", Map.of("repository",
                        directory.resolve("data-repo").toString(), "webhook-secret", PUSH_SECRET,
                        "webhook-repository", "acme/data")),
                "github-train", new HubConfig.ConnectionSpec("github", Map.of("api-url", GITHUB.apiUrl().toString(),
                        "token", GITHUB_TOKEN, "repository", "acme/train")),
                "kfp-prod", new HubConfig.ConnectionSpec("kubeflow-pipelines", Map.of("url", KFP.baseUrl().toString(),
                        "token", KFP_TOKEN, "request-timeout", "2s"))),
                directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        for (String file : List.of("data-change-to-training.camel.yaml", "data-change-to-kfp-training.camel.yaml")) {
            assertThat(new RouteValidator(connections).validate(file,
                    Files.readString(SHIPPED_ROUTES.resolve(file))).problems()).as(file).isEmpty();
        }
        // As the hub runs them: each step a durable delivery, performed by the engine with retries.
        outbox = new Outbox(store, Clock.systemUTC());
        engine = new DeliveryEngine(store, outbox, connections, new DeadLetters(store, outbox, Clock.systemUTC()),
                new DeliveryEngine.Settings(3, Duration.ofMillis(50), Duration.ofMillis(200), 8, Duration.ofSeconds(30),
                        Duration.ofMillis(50)), new SimpleMeterRegistry(), Clock.systemUTC());
        engine.start();
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new OutboxActionDispatcher(outbox)));
        assertThat(RouteFiles.load(camel, SHIPPED_ROUTES)).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("data-change-to-training.camel.yaml",
                        "data-change-to-kfp-training.camel.yaml");
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        engine.stop();
        connections.close();
        TestDatabases.close(dataSource);
        repo.close();
    }

    @Test
    void pushChangingTheTrainingSetDispatchesTrainingAndStartsOneKfpRunWithItsMd5AndCommit() throws Exception {
        String before = commit(Map.of("data/train.dvc", dvc(md5("v1"), 2, "train"),
                "data/eval.dvc", dvc(md5("e1"), 2, "eval")), "track data");
        String newMd5 = md5("v2 with more rows");
        String after = commit(Map.of("data/train.dvc", dvc(newMd5, 17, "train"),
                "data/eval.dvc", dvc(md5("e2"), 2, "eval")), "new training and eval data");

        List<StoredEvent> stored = receive(push(before, after));

        assertThat(stored).extracting(e -> e.event().subject()).containsExactly("data/eval", "data/train");
        for (String route : List.of("data-change-to-training", KFP_ROUTE)) {
            awaitOutcome(stored.get(1), route, Outcome.DONE);
            awaitOutcome(stored.get(0), route, Outcome.FILTERED);
        }
        assertThat(GITHUB.dispatches()).singleElement().satisfies(dispatch -> {
            assertThat(dispatch.workflow()).isEqualTo("train.yml");
            assertThat(dispatch.inputs()).containsExactlyInAnyOrderEntriesOf(Map.of("path", "data/train",
                    "md5", newMd5, "commit", after));
        });
        assertThat(KFP.runs()).singleElement().satisfies(run -> assertTrainingRun(run, newMd5, after));
        assertThat(kfpSteps()).singleElement().satisfies(step -> {
            assertThat(step.status()).isEqualTo(Delivery.Status.DELIVERED);
            assertThat(step.eventSeq()).isEqualTo(stored.get(1).seq());
            assertThat(KFP.runs().get(0).path("description").asString())
                    .isEqualTo("switchboard-idempotency-key: " + step.idempotencyKey());
        });

        assertThat(receive(push(before, after))).as("a redelivered push").isEmpty();
        EventSource polling = connections.get("dvc-data").eventSource().orElseThrow();
        assertThat(store.inbox().append(polling.poll(before).events())).as("the same commits seen by polling").isEmpty();
        assertThat(KFP.runs()).as("KFP runs after the redelivery").hasSize(1);
        assertThat(kfpSteps()).as("run-pipeline deliveries after the redelivery").hasSize(1);
        assertThat(GITHUB.dispatches()).as("dispatches after the redelivery").hasSize(1);
    }

    @Test
    void aRunPipelineStepRetriedAfterItsAnswerWasLostStartsOneRun() throws Exception {
        String before = commit(Map.of("data/train.dvc", dvc(md5("v1"), 2, "train")), "track data");
        String newMd5 = md5("v2");
        String after = commit(Map.of("data/train.dvc", dvc(newMd5, 3, "train")), "new training data");
        // The step's lookup by idempotency key is answered; its create is performed, but answered only after the
        // connection's 2 s request timeout, so the engine sees a transient failure and performs the step again.
        KFP.faults().slow(Duration.ZERO, 1, "/runs").slow(Duration.ofSeconds(4), 1, "/runs");

        StoredEvent train = receive(push(before, after)).get(0);

        awaitOutcome(train, KFP_ROUTE, Outcome.DONE);
        assertThat(KFP.runs()).singleElement().satisfies(run -> assertTrainingRun(run, newMd5, after));
        assertThat(kfpSteps()).singleElement().satisfies(step -> {
            assertThat(step.status()).isEqualTo(Delivery.Status.DELIVERED);
            List<Attempt> attempts = outbox.attempts(step.id());
            assertThat(attempts).as("the lost answer, then the retry").hasSizeGreaterThanOrEqualTo(2);
            assertThat(attempts.get(0).outcome()).isNotEqualTo(Attempt.Outcome.DELIVERED);
            assertThat(attempts.get(attempts.size() - 1).outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
        });
    }

    private void assertTrainingRun(JsonNode run, String md5, String commit) {
        assertThat(run.path("pipeline_version_reference").path("pipeline_id").asString()).isEqualTo(pipelineId);
        assertThat(run.path("display_name").asString()).isEqualTo("train on data/train@" + commit);
        JsonNode parameters = run.path("runtime_config").path("parameters");
        assertThat(parameters.propertyNames()).containsExactlyInAnyOrder("path", "md5", "commit");
        assertThat(parameters.path("path").asString()).isEqualTo("data/train");
        assertThat(parameters.path("md5").asString()).isEqualTo(md5);
        assertThat(parameters.path("commit").asString()).isEqualTo(commit);
    }

    /** The {@code run-pipeline} deliveries the KFP route made. */
    private List<Delivery> kfpSteps() {
        return outbox.list(null, null, null, 100).stream().filter(d -> KFP_ROUTE.equals(d.routeId())).toList();
    }

    /** The {@code pipeline-id} the shipped KFP route names. */
    private static String shippedPipelineId() throws Exception {
        Matcher id = Pattern.compile("pipeline-id: \"([^\"]+)\"").matcher(
                Files.readString(SHIPPED_ROUTES.resolve("data-change-to-kfp-training.camel.yaml")));
        assertThat(id.find()).as("the shipped KFP route names a pipeline-id").isTrue();
        return id.group(1);
    }

    private String commit(Map<String, String> files, String message) throws Exception {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = directory.resolve("data-repo").resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        repo.add().addFilepattern(".").call();
        return repo.commit().setMessage(message).setSign(false).call().name();
    }

    private static String dvc(String md5, long size, String path) {
        return "outs:\n- md5: " + md5 + "\n  size: " + size + "\n  hash: md5\n  path: " + path + "\n";
    }

    private static String md5(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** A GitHub {@code push} delivery as GitHub signs it. */
    private static WebhookRequest push(String before, String after) {
        byte[] body = ("{\"ref\":\"refs/heads/main\",\"before\":\"" + before + "\",\"after\":\"" + after
                + "\",\"repository\":{\"full_name\":\"acme/data\"},\"commits\":[]}").getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(PUSH_SECRET, body));
        return new WebhookRequest("dvc-data", Map.of("X-GitHub-Event", List.of("push"),
                "X-GitHub-Delivery", List.of("push-1"), "X-Hub-Signature-256", List.of(signature)), body, Instant.now());
    }

    /** What the hub's ingress does with a webhook: verify and translate it, then store the events in the inbox. */
    private List<StoredEvent> receive(WebhookRequest request) {
        return store.inbox().append(connections.get("dvc-data").eventSource().orElseThrow().receive(request));
    }

    private void awaitOutcome(StoredEvent stored, String route, Outcome outcome) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .contains(Tuple.tuple(route, outcome)));
    }
}
