package dev.switchboard.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.fakes.github.GitHubFake;
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
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
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
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped route {@code data-change-to-training}, end to end: a DVC project in a Git repository (built with JGit),
 * a signed GitHub {@code push} webhook through the DVC connector's {@code EventSource} into the inbox, the route
 * loaded as shipped, and the training workflow dispatched on the kit's GitHub fake with the data version's path, md5
 * and commit as inputs.
 */
class DataChangeToTrainingFlowTest {

    @RegisterExtension
    static final GitHubFake GITHUB = new GitHubFake();

    static final Path SHIPPED_ROUTES = Path.of("src/main/resources/routes/dvc");
    static final String PUSH_SECRET = "e2e-dvc-push-secret";
    static final String GITHUB_TOKEN = "github_pat_e2e";

    @TempDir
    Path directory;

    private Git repo;
    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        repo = Git.init().setDirectory(directory.resolve("data-repo").toFile()).setInitialBranch("main").call();
        GITHUB.requireToken(GITHUB_TOKEN).addWorkflow("acme/train", "train.yml", "train on ${{ inputs.commit }}",
                "path", "md5", "commit");
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "dvc-data", new HubConfig.ConnectionSpec("dvc", Map.of("repository",
                        directory.resolve("data-repo").toString(), "webhook-secret", PUSH_SECRET,
                        "webhook-repository", "acme/data")),
                "github-train", new HubConfig.ConnectionSpec("github", Map.of("api-url", GITHUB.apiUrl().toString(),
                        "token", GITHUB_TOKEN, "repository", "acme/train"))),
                directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new DirectActionDispatcher(connections)));
        assertThat(RouteFiles.load(camel, SHIPPED_ROUTES)).extracting(p -> p.getFileName().toString())
                .contains("data-change-to-training.camel.yaml");
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        connections.close();
        TestDatabases.close(dataSource);
        repo.close();
    }

    @Test
    void pushChangingTheTrainingSetDispatchesTrainingWithItsMd5AndCommit() throws Exception {
        String before = commit(Map.of("data/train.dvc", dvc(md5("v1"), 2, "train"),
                "data/eval.dvc", dvc(md5("e1"), 2, "eval")), "track data");
        String newMd5 = md5("v2 with more rows");
        String after = commit(Map.of("data/train.dvc", dvc(newMd5, 17, "train"),
                "data/eval.dvc", dvc(md5("e2"), 2, "eval")), "new training and eval data");

        List<StoredEvent> stored = receive(push(before, after));

        assertThat(stored).extracting(e -> e.event().subject()).containsExactly("data/eval", "data/train");
        awaitOutcome(stored.get(1), Outcome.DONE);
        awaitOutcome(stored.get(0), Outcome.FILTERED);
        assertThat(GITHUB.dispatches()).singleElement().satisfies(dispatch -> {
            assertThat(dispatch.workflow()).isEqualTo("train.yml");
            assertThat(dispatch.inputs()).containsExactlyInAnyOrderEntriesOf(Map.of("path", "data/train",
                    "md5", newMd5, "commit", after));
        });
        assertThat(receive(push(before, after))).as("a redelivered push").isEmpty();
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

    private void awaitOutcome(StoredEvent stored, Outcome outcome) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .contains(org.assertj.core.groups.Tuple.tuple("data-change-to-training", outcome)));
    }
}
