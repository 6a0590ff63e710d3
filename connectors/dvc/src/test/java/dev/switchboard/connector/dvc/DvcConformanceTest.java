package dev.switchboard.connector.dvc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.ArtifactStoreSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.PollingEventSourceSuite;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.Fidelity;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The DVC connector through the kit's suites, as an outside author runs them: the repository is a bare origin the
 * connection clones by {@code file://} URL (fetching and pushing like a remote Git server), and the DVC remote is an
 * S3Proxy bucket ({@code s3://dvc-store/cache}) holding objects in DVC's layout.
 */
class DvcConformanceTest extends ConnectorHarness implements ConfigSuite, ArtifactStoreSuite, PollingEventSourceSuite {

    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("dvc-store");

    static final String CONNECTION = "dvc-kit";

    @TempDir
    Path directory;
    DvcFixture repo;
    Path origin;
    int changes;

    @BeforeEach
    void createRepository() throws Exception {
        repo = new DvcFixture(directory);
        origin = DvcFixture.bareOrigin(directory);
        repo.config("s3://dvc-store/cache").file("README.md", "data project\n");
        repo.commit("init DVC");
        repo.pushTo(origin);
    }

    @AfterEach
    void closeRepository() {
        repo.close();
    }

    @Override
    public Connector connector() {
        return new DvcConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.EVENT_SOURCE, Capability.ARTIFACT_STORE);
    }

    @Override
    public Fidelity declaredFidelity() {
        return Fidelity.none();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig(CONNECTION, "dvc", Map.of("repository", origin.toUri().toString(),
                "clone-directory", directory.resolve("clone").toString(), "s3-region", S3ProxyServer.REGION,
                "s3-endpoint-override", S3.endpoint().toString(), "s3-path-style", "true",
                "s3-access-key-id", S3ProxyServer.ACCESS_KEY_ID, "s3-secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY));
    }

    @Override
    public URI artifactUri(String name) {
        return URI.create("dvc://" + CONNECTION + "/models/" + name);
    }

    /** A new 3.x-tracked file committed and pushed to origin by someone else. */
    @Override
    public String makeChange() {
        try {
            String path = "data/set-" + (++changes) + ".csv";
            byte[] content = DvcFixture.bytes("change " + changes + "\n");
            repo.file(path + ".dvc", DvcFixture.dvc3(DvcFixture.md5(content), content.length, "set-" + changes + ".csv"));
            repo.commit("add " + path);
            repo.pushTo(origin);
            return path;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(dvc(Map.of("repository", "/srv/git/data")),
                dvc(Map.of("repository", "https://github.com/acme/data.git", "branch", "release/2024",
                        "token", "ghp_secret", "webhook-secret", "s", "webhook-repository", "acme/data",
                        "remote", "storage", "s3-access-key-id", "AKIA1", "s3-secret-access-key", "sk",
                        "s3-endpoint-override", "http://minio:9000", "request-timeout", "2m")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("no repository", dvc(Map.of())).expect("repository", "required"),
                BadConfig.of("several problems at once", dvc(Map.of("repository", "ftp://host/repo",
                                "branch", "a..b", "s3-secret-access-key", "sk-SECRET-9", "webhook-repository", "acme",
                                "s3-path-style", "yes")))
                        .expect("repository", "local path or an https://")
                        .expect("branch", "branch name")
                        .expect("s3-access-key-id", "required when s3-secret-access-key is set")
                        .expect("webhook-repository", "owner/repo")
                        .expect("s3-path-style", "true or false"),
                BadConfig.of("credentials in the URL", dvc(Map.of("repository", "https://user:pw@github.com/a/b")))
                        .expect("repository", "must not carry credentials"));
    }

    private static ConnectionConfig dvc(Map<String, String> options) {
        return new ConnectionConfig("dvc-prod", "dvc", new HashMap<>(options));
    }

    @Test
    void writtenArtifactIsCommittedAsADvc3FileAndItsObjectIsInTheBucketAtDvcsKey() throws Exception {
        byte[] content = ArtifactStoreSuite.randomBytes(4321);
        URI uri = artifactUri("committed.bin");
        store().write(uri, new java.io.ByteArrayInputStream(content), content.length, ArtifactStoreSuite.sha256(content));

        String md5 = DvcFixture.md5(content);
        try (Git origin = Git.open(this.origin.toFile())) {
            var head = origin.getRepository().resolve("refs/heads/main");
            var text = new String(origin.getRepository().open(org.eclipse.jgit.treewalk.TreeWalk.forPath(
                    origin.getRepository(), "models/committed.bin.dvc", origin.getRepository().parseCommit(head).getTree())
                    .getObjectId(0)).getBytes());
            assertThat(text).isEqualTo(DvcFixture.dvc3(md5, 4321, "committed.bin"));
        }
        try (S3Client s3 = s3()) {
            assertThat(s3.headObject(b -> b.bucket("dvc-store").key("cache/files/md5/" + md5.substring(0, 2) + "/"
                    + md5.substring(2))).contentLength()).isEqualTo(4321L);
        }
    }

    @Test
    void corruptedObjectInTheBucketFailsTheReadAsAnIntegrityError() throws Exception {
        byte[] content = ArtifactStoreSuite.randomBytes(70_000);
        String md5 = DvcFixture.md5(content);
        byte[] corrupted = content.clone();
        corrupted[12_345] ^= 1;
        try (S3Client s3 = s3()) {
            s3.putObject(b -> b.bucket("dvc-store").key("cache/files/md5/" + md5.substring(0, 2) + "/" + md5.substring(2)),
                    RequestBody.fromBytes(corrupted));
        }
        repo.file("data/train.csv.dvc", DvcFixture.dvc3(md5, content.length, "train.csv"));
        String commit = repo.commit("track train.csv");
        repo.pushTo(origin);

        URI uri = URI.create("dvc://" + CONNECTION + "/data/train.csv@" + commit);
        ArtifactRef stat = store().stat(uri).orElseThrow();
        assertThat(stat.digest()).isEqualTo(new Digest(Digest.Algorithm.MD5, md5));
        try (InputStream in = store().open(uri)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(dev.switchboard.spi.ConnectorException.class)
                    .hasMessageContaining("integrity check of " + uri + " failed")
                    .hasMessageContaining("md5 " + md5)
                    .satisfies(e -> assertThat(((dev.switchboard.spi.ConnectorException) e).kind())
                            .isEqualTo(dev.switchboard.spi.ErrorKind.CONFIGURATION));
        }
    }

    private static S3Client s3() {
        return S3Client.builder().region(Region.of(S3ProxyServer.REGION)).endpointOverride(S3.endpoint())
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY))).build();
    }

    static String unique() {
        return UUID.randomUUID().toString();
    }
}
