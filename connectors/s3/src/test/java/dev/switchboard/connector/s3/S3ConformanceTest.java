package dev.switchboard.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.ArtifactStoreSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.CheckSuite;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ErrorClassificationSuite;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Runs the S3 connector through the kit's suites against a real S3-compatible server (S3Proxy, in a child
 * process), which checks SigV4 and multipart uploads; plus the multipart and single-PUT paths, which the suite's
 * artifacts are too small to reach, and that S3Proxy itself refuses a PUT whose body differs from its
 * {@code x-amz-checksum-sha256}.
 */
class S3ConformanceTest extends ConnectorHarness implements ConfigSuite, ArtifactStoreSuite, CheckSuite,
        ErrorClassificationSuite {

    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("kit-bucket");

    static final String CONNECTION = "s3-kit";
    static final String BUCKET = "kit-bucket";
    static final int PART_MB = 5;
    /** Without a size the connector uploads in parts; with a size and a digest it streams one checked PUT. */
    static final long UNKNOWN_SIZE = -1;

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
        return config(secretAccessKey, 1);
    }

    private static ConnectionConfig config(String secretAccessKey, int maxAttempts) {
        return new ConnectionConfig(CONNECTION, "s3", Map.of("bucket-prefix", "s3://kit-bucket/models",
                "region", S3ProxyServer.REGION, "endpoint-override", S3.endpoint().toString(), "path-style", "true",
                "access-key-id", S3ProxyServer.ACCESS_KEY_ID, "secret-access-key", secretAccessKey,
                "part-size-mb", String.valueOf(PART_MB), "max-attempts", String.valueOf(maxAttempts)));
    }

    @Override
    public ConnectionConfig configPointingAt(URI baseUrl) {
        return new ConnectionConfig(CONNECTION, "s3", Map.of("bucket-prefix", "s3://kit-bucket/models",
                "region", S3ProxyServer.REGION, "endpoint-override", baseUrl.toString(), "path-style", "true",
                "access-key-id", S3ProxyServer.ACCESS_KEY_ID, "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY,
                "max-attempts", "1", "request-timeout", "1s"));
    }

    @Override
    public void callTheTool(Connection connection) {
        connection.artifactStore().orElseThrow().stat(artifactUri("classified"));
    }

    /** S3's XML error shape, with the codes S3 answers for each status. */
    @Override
    public String errorBody(int status) {
        String code = switch (status) {
            case 400 -> "InvalidRequest";
            case 401, 403 -> "AccessDenied";
            case 429, 503 -> "SlowDown";
            default -> "InternalError";
        };
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                + "</Code><Message>injected</Message></Error>";
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
                        "part-size-mb", "64", "request-timeout", "2m", "single-put-max-mb", "0")));
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
                        .expect("path-style", "true or false"),
                BadConfig.of("single PUT above S3's limit", s3(Map.of("bucket-prefix", "s3://models",
                                "single-put-max-mb", "6000")))
                        .expect("single-put-max-mb", "between 0 and 5120"));
    }

    private static ConnectionConfig s3(Map<String, String> options) {
        return new ConnectionConfig("s3-prod", "s3", new HashMap<>(options));
    }

    @Test
    void largeArtifactIsUploadedInPartsAndReadsBack() throws IOException {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 12345);
        URI uri = artifactUri("multipart-" + UUID.randomUUID() + ".bin");
        ArtifactRef written = store().write(uri, new ByteArrayInputStream(content), UNKNOWN_SIZE,
                ArtifactStoreSuite.sha256(content));
        assertThat(written.size()).isEqualTo((long) content.length);
        assertThat(head(uri).eTag()).as("a multipart ETag ends in -<parts>").endsWith("-3\"");
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
                () -> store().write(uri, new ByteArrayInputStream(content), UNKNOWN_SIZE, wrong));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(ArtifactStoreSuite.sha256(content).value());
        assertThat(store().stat(uri)).isEmpty();
    }

    @Test
    void largeArtifactWithWrongDigestOverMorePartsThanInFlightIsAbortedAndLeavesNothing() {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 4 + 1);
        URI uri = artifactUri("multipart-mismatch-many-" + UUID.randomUUID() + ".bin");
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store().write(uri,
                new ByteArrayInputStream(content), UNKNOWN_SIZE, Digest.sha256("0".repeat(64))));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(store().stat(uri)).isEmpty();
        assertThat(uploadThreads()).isEmpty();
    }

    @ParameterizedTest(name = "size known (one PUT): {0}")
    @ValueSource(booleans = {false, true})
    void largeArtifactWhoseSourceFailsMidwayIsAbortedAndLeavesNothing(boolean sizeKnown) {
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
                () -> store().write(uri, failing, sizeKnown ? content.length : UNKNOWN_SIZE,
                        ArtifactStoreSuite.sha256(content)));
        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("source connection reset");
        assertThat(store().stat(uri)).isEmpty();
        assertThat(uploadThreads()).isEmpty();
    }

    @Test
    void s3ProxyRefusesAPutWhoseBodyDiffersFromItsChecksumSha256AndStoresNothing() {
        // The server's half of the single PUT's guarantee, shown without the connector's own check.
        byte[] content = ArtifactStoreSuite.randomBytes(4096);
        byte[] other = content.clone();
        other[0] ^= 1;
        String key = "models/checksum-" + UUID.randomUUID() + ".bin";
        try (S3Client s3 = client()) {
            s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
            S3Exception refused = catchThrowableOfType(S3Exception.class, () -> s3.putObject(r -> r.bucket(BUCKET)
                            .key(key).contentLength((long) other.length).checksumSHA256(base64Sha256(content)),
                    RequestBody.fromInputStream(new ByteArrayInputStream(other), other.length)));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
            assertThat(s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray()).isEqualTo(content);

            String fresh = "models/checksum-new-" + UUID.randomUUID() + ".bin";
            catchThrowableOfType(S3Exception.class, () -> s3.putObject(r -> r.bucket(BUCKET).key(fresh)
                            .contentLength((long) other.length).checksumSHA256(base64Sha256(content)),
                    RequestBody.fromInputStream(new ByteArrayInputStream(other), other.length)));
            assertThat(catchThrowableOfType(S3Exception.class, () -> s3.headObject(r -> r.bucket(BUCKET).key(fresh)))
                    .statusCode()).isEqualTo(404);
        }
    }

    @Test
    void largeArtifactWithKnownSizeAndDigestGoesUpInOnePutThatTheServerChecked() throws IOException {
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 12345);
        URI uri = artifactUri("single-put-" + UUID.randomUUID() + ".bin");
        Digest digest = ArtifactStoreSuite.sha256(content);

        ArtifactRef written = store().write(uri, new ByteArrayInputStream(content), content.length, digest);

        assertThat(written.size()).isEqualTo((long) content.length);
        HeadObjectResponse head = head(uri);
        assertThat(head.eTag()).as("not a multipart ETag").doesNotContain("-");
        assertThat(head.checksumSHA256()).isEqualTo(base64Sha256(content));
        assertThat(store().stat(uri).orElseThrow().digest()).isEqualTo(digest);
        try (InputStream in = store().open(uri)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void largeArtifactWithKnownSizeAndWrongDigestLeavesNothingNewAndKeepsTheEarlierObject() throws IOException {
        URI uri = artifactUri("single-put-mismatch-" + UUID.randomUUID() + ".bin");
        byte[] earlier = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 + 7);
        store().write(uri, new ByteArrayInputStream(earlier), earlier.length, ArtifactStoreSuite.sha256(earlier));
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 1);
        Digest wrong = Digest.sha256("0".repeat(64));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store().write(uri, new ByteArrayInputStream(content), content.length, wrong));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(ArtifactStoreSuite.sha256(content).value()).contains("nothing was written");
        assertThat(store().stat(uri).orElseThrow().digest()).isEqualTo(ArtifactStoreSuite.sha256(earlier));
        try (InputStream in = store().open(uri)) {
            assertThat(in.readAllBytes()).isEqualTo(earlier);
        }
        URI fresh = artifactUri("single-put-mismatch-new-" + UUID.randomUUID() + ".bin");
        catchThrowableOfType(ConnectorException.class,
                () -> store().write(fresh, new ByteArrayInputStream(content), content.length, wrong));
        assertThat(store().stat(fresh)).isEmpty();
    }

    @Test
    void withTheSdksRetriesOnAMismatchInOnePutIsStillAConfigurationErrorAndLeavesNothing() {
        // The SDK retries a request whose body failed with an IOException; the retry must not hide the mismatch.
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 1);
        URI uri = artifactUri("single-put-mismatch-retried-" + UUID.randomUUID() + ".bin");
        try (Connection connection = connector().open(config(S3ProxyServer.SECRET_ACCESS_KEY, 3),
                ConnectorContext.standalone())) {
            ArtifactStore store = connection.artifactStore().orElseThrow();
            ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store.write(uri,
                    new ByteArrayInputStream(content), content.length, Digest.sha256("0".repeat(64))));
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(e.getMessage()).contains(ArtifactStoreSuite.sha256(content).value());
            assertThat(store.stat(uri)).isEmpty();
        }
    }

    @Test
    void contentLongerThanItsStatedSizeLeavesNothingThoughWhatWasSentMatchedItsChecksum() {
        // The connector's half: the server would accept the stated bytes, whose SHA-256 the header carries, but
        // the write finds more content and cuts the request short before its last bytes.
        byte[] content = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 * 2 + 100);
        int stated = PART_MB * 1024 * 1024 * 2;
        URI uri = artifactUri("single-put-longer-" + UUID.randomUUID() + ".bin");

        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store().write(uri,
                new ByteArrayInputStream(content), stated, ArtifactStoreSuite.sha256(Arrays.copyOf(content, stated))));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("longer than the " + stated + " bytes");
        assertThat(store().stat(uri)).isEmpty();
        // The connection is still usable after a request it cut short.
        byte[] next = ArtifactStoreSuite.randomBytes(PART_MB * 1024 * 1024 + 3);
        assertThat(store().write(uri, new ByteArrayInputStream(next), next.length, ArtifactStoreSuite.sha256(next))
                .digest()).isEqualTo(ArtifactStoreSuite.sha256(next));
    }

    private static HeadObjectResponse head(URI uri) {
        try (S3Client s3 = client()) {
            return s3.headObject(r -> r.bucket(BUCKET).key(uri.getPath().substring(1)).checksumMode("ENABLED"));
        }
    }

    /** A plain SDK client to look at what the server stored, past the connector. */
    private static S3Client client() {
        return S3Client.builder().endpointOverride(S3.endpoint()).region(Region.of(S3ProxyServer.REGION))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY))).build();
    }

    private static String base64Sha256(byte[] content) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(ArtifactStoreSuite.sha256(content).value()));
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
