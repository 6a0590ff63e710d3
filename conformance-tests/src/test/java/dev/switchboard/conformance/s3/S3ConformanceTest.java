package dev.switchboard.conformance.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.ArtifactStoreSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.connector.s3.S3Connector;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.Fidelity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the S3 connector through the kit's suites against a real S3-compatible server (S3Proxy, in a child
 * process), which checks SigV4 and multipart uploads; plus the multipart path, which the suite's artifacts are too
 * small to reach.
 */
class S3ConformanceTest extends ConnectorHarness implements ConfigSuite, ArtifactStoreSuite {

    @RegisterExtension
    static final S3ProxyServer S3 = new S3ProxyServer("kit-bucket");

    static final String CONNECTION = "s3-kit";
    static final int PART_MB = 5;

    @Override
    public Connector connector() {
        return new S3Connector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.ARTIFACT_STORE);
    }

    @Override
    public Fidelity declaredFidelity() {
        return Fidelity.none();
    }

    @Override
    protected ConnectionConfig config() {
        return config(S3ProxyServer.SECRET_ACCESS_KEY);
    }

    private static ConnectionConfig config(String secretAccessKey) {
        return new ConnectionConfig(CONNECTION, "s3", Map.of("bucket-prefix", "s3://kit-bucket/models",
                "region", S3ProxyServer.REGION, "endpoint-override", S3.endpoint().toString(), "path-style", "true",
                "access-key-id", S3ProxyServer.ACCESS_KEY_ID, "secret-access-key", secretAccessKey,
                "part-size-mb", String.valueOf(PART_MB), "max-attempts", "1"));
    }

    @Override
    public URI artifactUri(String name) {
        return URI.create("s3://kit-bucket/models/" + name);
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(s3(Map.of("bucket-prefix", "s3://models")),
                s3(Map.of("bucket-prefix", "s3://ml-artifacts.example/team-a/models", "region", "eu-central-1",
                        "access-key-id", "AKIA1", "secret-access-key", "sk", "path-style", "false",
                        "part-size-mb", "64", "request-timeout", "2m")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("no bucket", s3(Map.of())).expect("bucket-prefix", "required"),
                BadConfig.of("not an s3 URI", s3(Map.of("bucket-prefix", "https://bucket.s3.amazonaws.com/x")))
                        .expect("bucket-prefix", "must be s3://bucket"),
                BadConfig.of("several problems at once", s3(Map.of("bucket-prefix", "s3://UPPER_case",
                                "secret-access-key", "sk-SECRET-3", "endpoint-override", "http://minio:9000",
                                "part-size-mb", "1", "path-style", "yes")))
                        .expect("bucket-prefix", "valid bucket name")
                        .expect("access-key-id", "required when secret-access-key is set")
                        .expect("region", "required with endpoint-override")
                        .expect("part-size-mb", "between 5 and 5120")
                        .expect("path-style", "true or false"));
    }

    private static ConnectionConfig s3(Map<String, String> options) {
        return new ConnectionConfig("s3-prod", "s3", new HashMap<>(options));
    }

    @Test
    void largeArtifactIsUploadedInPartsAndReadsBack() throws IOException {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 12345);
        URI uri = artifactUri("multipart-" + UUID.randomUUID() + ".bin");
        ArtifactRef written = store().write(uri, new ByteArrayInputStream(content), -1,
                ArtifactStoreSuite.sha256(content));
        assertThat(written.size()).isEqualTo((long) content.length);
        assertThat(store().stat(uri).orElseThrow().digest()).isEqualTo(ArtifactStoreSuite.sha256(content));
        try (InputStream in = store().open(uri)) {
            assertThat(ArtifactStoreSuite.sha256(in.readAllBytes())).isEqualTo(ArtifactStoreSuite.sha256(content));
        }
    }

    @Test
    void largeArtifactWithWrongDigestIsAbortedAndLeavesNothing() {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 + 1);
        URI uri = artifactUri("multipart-mismatch-" + UUID.randomUUID() + ".bin");
        Digest wrong = Digest.sha256("0".repeat(64));
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store().write(uri, new ByteArrayInputStream(content), content.length, wrong));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(ArtifactStoreSuite.sha256(content).value());
        assertThat(store().stat(uri)).isEmpty();
    }

    @Test
    void largeArtifactWithWrongDigestOverMorePartsThanInFlightIsAbortedAndLeavesNothing() {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 4 + 1);
        URI uri = artifactUri("multipart-mismatch-many-" + UUID.randomUUID() + ".bin");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store().write(uri,
                new ByteArrayInputStream(content), content.length, Digest.sha256("0".repeat(64))));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(store().stat(uri)).isEmpty();
        assertThat(uploadThreads()).isEmpty();
    }

    @Test
    void largeArtifactWhoseSourceFailsMidwayIsAbortedAndLeavesNothing() {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 4);
        int failAt = PART_MB * 1024 * 1024 * 2 + 4096;
        InputStream failing = new java.io.FilterInputStream(new ByteArrayInputStream(content)) {
            private int read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= failAt) {
                    throw new IOException("source connection reset");
                }
                int n = super.read(b, off, Math.min(len, failAt - read));
                read += Math.max(n, 0);
                return n;
            }
        };
        URI uri = artifactUri("multipart-source-fails-" + UUID.randomUUID() + ".bin");
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store().write(uri, failing, content.length, ArtifactStoreSuite.sha256(content)));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("source connection reset");
        assertThat(store().stat(uri)).isEmpty();
        assertThat(uploadThreads()).isEmpty();
    }

    private static List<Thread> uploadThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("switchboard-s3-upload-") && t.isAlive()).toList();
    }

    @Test
    void urisOutsideTheConfiguredPrefixAreNotServed() {
        assertThat(store().serves(URI.create("s3://kit-bucket/other/model.bin"))).isFalse();
        assertThat(store().serves(URI.create("s3://other-bucket/models/model.bin"))).isFalse();
    }

    @Test
    void wrongSecretKeyIsAConfigurationErrorThatQuotesNoSecret() {
        String wrongSecret = "not-the-kit-secret-" + UUID.randomUUID();
        try (Connection connection = connector().open(config(wrongSecret), ConnectorContext.standalone())) {
            ArtifactStore store = connection.artifactStore().orElseThrow();
            // A read, not a write: S3Proxy may answer 403 before it has read an upload's body and close the
            // connection, which the client then sees as a (transient) reset rather than the 403.
            ConnectorException e = catchThrowableOfType(ConnectorException.class,
                    () -> store.open(artifactUri("denied.bin")).close());
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(e.getMessage()).contains(CONNECTION).doesNotContain(wrongSecret)
                    .doesNotContain(S3ProxyServer.SECRET_ACCESS_KEY);
        }
    }
}
