package dev.switchboard.connector.dvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.DataVersion;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push webhooks from GitHub and GitLab, polling, and reads from a local directory remote (2.x, 3.x, directories). */
class DvcEventsAndLocalRemoteTest {

    static final String SECRET = "dvc-webhook-secret";

    @TempDir
    Path directory;
    DvcFixture repo;
    DvcConnection connection;
    String first;

    @BeforeEach
    void setUp() throws Exception {
        repo = new DvcFixture(directory);
        repo.config("../../remote").file("README.md", "data\n");
        first = repo.commit("init");
        connection = (DvcConnection) new DvcConnector().open(new ConnectionConfig("dvc-data", "dvc", Map.of(
                "repository", repo.work.toString(), "webhook-secret", SECRET, "webhook-repository", "acme/data")),
                ConnectorContext.standalone());
    }

    @AfterEach
    void tearDown() {
        connection.close();
        repo.close();
    }

    private EventSource events() {
        return connection.eventSource().orElseThrow();
    }

    private ArtifactStore store() {
        return connection.artifactStore().orElseThrow();
    }

    static WebhookRequest githubPush(String repository, String ref, String before, String after, String secret) {
        byte[] body = ("{\"ref\":\"" + ref + "\",\"before\":\"" + before + "\",\"after\":\"" + after + "\","
                + "\"repository\":{\"full_name\":\"" + repository + "\",\"clone_url\":\"https://github.com/"
                + repository + ".git\"}}").getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(secret, body));
        return new WebhookRequest("dvc-data", Map.of("X-GitHub-Event", List.of("push"), "X-GitHub-Delivery",
                List.of("d-1"), "X-Hub-Signature-256", List.of(signature)), body, Instant.now());
    }

    @Test
    void signedGitHubPushReportsOneDataVersionPerChangedOutputOfEachCommit() throws Exception {
        byte[] v1 = DvcFixture.bytes("a,b\n1,2\n");
        repo.file("data/train.dvc", DvcFixture.dvc3(repo.push3(v1), v1.length, "train"))
                .file("data/test.dvc", DvcFixture.dvc3(repo.push3(DvcFixture.bytes("t")), 1, "test"));
        String second = repo.commit("track train and test");
        byte[] v2 = DvcFixture.bytes("a,b\n1,2\n3,4\n");
        repo.file("data/train.dvc", DvcFixture.dvc3(repo.push3(v2), v2.length, "train")).file("notes.md", "x\n");
        String third = repo.commit("new training data");

        List<CanonicalEvent> events = events().receive(githubPush("acme/data", "refs/heads/main", first, third, SECRET));

        assertThat(events).extracting(CanonicalEvent::id).containsExactly("dvc-" + second + ":data/test",
                "dvc-" + second + ":data/train", "dvc-" + third + ":data/train");
        assertThat(events).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.DATA_VERSION_CREATED));
        DataVersion latest = (DataVersion) events.get(2).data();
        assertThat(latest.version()).isEqualTo(third);
        assertThat(latest.artifact().digest().value()).isEqualTo(DvcFixture.md5(v2));
        assertThat(events().poll(first).events()).as("polling sees the same events with the same ids")
                .extracting(CanonicalEvent::id).containsExactlyElementsOf(events.stream().map(CanonicalEvent::id).toList());
        assertThat(events().poll(third).events()).isEmpty();
    }

    @Test
    void pushesThatAreNotForThisRepositoryAndBranchOrNotSignedAreRefusedOrIgnored() throws Exception {
        String head = repo.commit("empty");
        assertThatThrownBy(() -> events().receive(githubPush("acme/data", "refs/heads/main", first, head, "wrong")))
                .isInstanceOf(WebhookRejectedException.class).hasMessageContaining("does not match")
                .satisfies(e -> assertThat(((WebhookRejectedException) e).reason())
                        .isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE));
        assertThat(((WebhookRejectedException) org.assertj.core.api.Assertions.catchThrowable(() -> events().receive(
                githubPush("acme/data", "refs/heads/dev", first, head, SECRET)))).reason())
                .isEqualTo(WebhookRejectedException.Reason.UNSUPPORTED);
        assertThat(((WebhookRejectedException) org.assertj.core.api.Assertions.catchThrowable(() -> events().receive(
                githubPush("acme/other", "refs/heads/main", first, head, SECRET)))).reason())
                .isEqualTo(WebhookRejectedException.Reason.UNSUPPORTED);
    }

    @Test
    void gitLabPushHookIsCheckedByItsTokenInConstantTime() throws Exception {
        byte[] v1 = DvcFixture.bytes("gitlab");
        repo.file("data/train.dvc", DvcFixture.dvc3(repo.push3(v1), v1.length, "train"));
        String head = repo.commit("track");
        byte[] body = ("{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"before\":\"" + first + "\",\"after\":\""
                + head + "\",\"project\":{\"path_with_namespace\":\"acme/data\"}}").getBytes(StandardCharsets.UTF_8);
        WebhookRequest good = new WebhookRequest("dvc-data", Map.of("X-Gitlab-Event", List.of("Push Hook"),
                "X-Gitlab-Token", List.of(SECRET)), body, Instant.now());
        assertThat(events().receive(good)).extracting(CanonicalEvent::subject).containsExactly("data/train");
        WebhookRequest bad = new WebhookRequest("dvc-data", Map.of("X-Gitlab-Event", List.of("Push Hook"),
                "X-Gitlab-Token", List.of(SECRET + "x")), body, Instant.now());
        assertThatThrownBy(() -> events().receive(bad)).isInstanceOf(WebhookRejectedException.class)
                .hasMessageContaining("X-Gitlab-Token is not the webhook-secret").hasMessageNotContaining(SECRET);
    }

    @Test
    void legacyTextObjectIsVerifiedWithDos2UnixMd5AndADirectoryFileThroughItsManifest() throws Exception {
        byte[] crlf = DvcFixture.bytes("id,label\r\n1,cat\r\n2,dog\r\n");
        String legacy = repo.push2(crlf);
        assertThat(legacy).as("DVC 2.x hashes text as if it had LF endings")
                .isEqualTo(DvcFixture.md5(DvcFixture.bytes("id,label\n1,cat\n2,dog\n")));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        String dir = repo.pushDir3(Map.of("cats/1.png", png, "dogs/2.png", new byte[] {7}));
        repo.file("labels.csv.dvc", DvcFixture.dvc2(legacy, crlf.length, "labels.csv"))
                .file("images.dvc", "outs:\n- md5: " + dir + "\n  size: 8\n  nfiles: 2\n  hash: md5\n  path: images\n");
        String commit = repo.commit("track");

        try (InputStream in = store().open(URI.create("dvc://dvc-data/labels.csv@" + commit))) {
            assertThat(in.readAllBytes()).isEqualTo(crlf);
        }
        try (InputStream in = store().open(URI.create("dvc://dvc-data/images/cats/1.png"))) {
            assertThat(in.readAllBytes()).isEqualTo(png);
        }
        assertThat(store().stat(URI.create("dvc://dvc-data/images")).orElseThrow().size()).isEqualTo(8L);
        assertThatThrownBy(() -> store().open(URI.create("dvc://dvc-data/images")))
                .hasMessageContaining("is a DVC-tracked directory of 2 files");
        assertThat(store().stat(URI.create("dvc://dvc-data/images/cats/none.png"))).isEmpty();

        repo.put(DvcOutput.objectKey(legacy, DvcOutput.HashName.MD5_DOS2UNIX), DvcFixture.bytes("id,label\r\n1,cat\r\n2,cow\r\n"));
        try (InputStream in = store().open(URI.create("dvc://dvc-data/labels.csv@" + commit))) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(ConnectorException.class)
                    .hasMessageContaining("integrity check").hasMessageContaining("md5 " + legacy);
        }
    }

    @Test
    void missingObjectAndUnknownRevisionAreConfigurationErrorsNamingThem() throws Exception {
        repo.file("data/x.dvc", DvcFixture.dvc3("acbd18db4cc2f85cedef654fccc4a4d8", 3, "x"));
        repo.commit("track without push");
        assertThat(store().stat(URI.create("dvc://dvc-data/data/x"))).as("recorded but never pushed").isEmpty();
        assertThatThrownBy(() -> store().open(URI.create("dvc://dvc-data/data/x")))
                .hasMessageContaining("is not in remote").hasMessageContaining("files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8");
        assertThatThrownBy(() -> store().open(URI.create("dvc://dvc-data/data/x@nosuchbranch")))
                .hasMessageContaining("revision nosuchbranch is not in the repository");
    }
}
