package dev.switchboard.routes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ArtifactCopy;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models logged the usual way: directories ({@code MLmodel}, {@code model.pkl}, environment files), registered as
 * {@code runs:/<run>/model} (MLflow 2 style) or {@code models:/m-<id>} (MLflow 3 logged models), on the second of two
 * MLflow connections (the first, alphabetically, is another server). The sync copies each directory to S3 as a tree
 * through the version's own connection, with a digest per file and the manifest digest as the artifact's.
 */
class MlflowDirectoryArtifactsSyncTest {

    @Fake
    static final MlflowFake STAGING = new MlflowFake();
    @Fake
    static final MlflowFake PROD = new MlflowFake();
    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();
    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("models");

    @TempDir
    Path directory;

    private HikariDataSource dataSource;
    private ConnectionRegistry connections;
    private SyncService sync;

    @BeforeEach
    void openHub() {
        SyncJobSpec job = SyncJobSpec.of("prod-to-sagemaker", "mlflow-prod", "sagemaker-prod")
                .withMapping(SyncConnections.CHAMPION_APPROVED)
                .withArtifacts(SyncJobSpec.ArtifactPolicy.copyTo(URI.create("s3://models/synced")));
        HubConfig config = new HubConfig(Map.of(
                "mlflow-a-staging", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url",
                        STAGING.baseUrl().toString())),
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", PROD.baseUrl().toString())),
                "s3-models", SyncConnections.s3Models(S3),
                "sagemaker-prod", SyncConnections.sagemaker(SAGEMAKER)),
                null, null, Map.of(job.name(), job));
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:file:" + directory.resolve("hub").toAbsolutePath());
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        sync = SyncService.of(Store.open(dataSource, Clock.systemUTC()), connections, config, Clock.systemUTC());
    }

    @AfterEach
    void closeHub() {
        connections.close();
        dataSource.close();
    }

    @Test
    void directoriesOfRunsAndLoggedModelsAreCopiedAsTreesThroughTheVersionsOwnServer() throws Exception {
        Map<String, byte[]> runFiles = MlflowFake.sklearnModelFiles("v1");
        Map<String, byte[]> loggedFiles = MlflowFake.sklearnModelFiles("v2");
        String run = PROD.createRun("train", Map.of("lr", "0.1"), Map.of("auc", 0.9));
        String runSource = PROD.logRunModel(run, "model", runFiles);
        PROD.createModelVersion("churn", runSource);
        String modelId = PROD.logModel(run, "churn", loggedFiles);
        String v2 = PROD.registerLoggedModel("churn", modelId);
        PROD.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", v2));
        // the other server has a run with the same path layout but different bytes: it must not be read
        STAGING.createRun("train", Map.of(), Map.of());

        SyncReport first = sync.apply("prod-to-sagemaker");
        SyncReport again = sync.apply("prod-to-sagemaker", SyncService.Scope.FULL);

        assertThat(first.run().status()).as(first.outcomes().toString()).isEqualTo(SyncRun.Status.COMPLETED);
        assertThat(first.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.CREATED);
        ArtifactStore s3 = connections.get("s3-models").artifactStore().orElseThrow();
        assertTree(s3, modelData(1), runFiles);
        assertTree(s3, modelData(2), loggedFiles);
        assertThat(SAGEMAKER.describe("churn", 2).path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        assertThat(again.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
    }

    private static URI modelData(int version) {
        return URI.create(SAGEMAKER.describe("churn", version).path("InferenceSpecification").path("Containers")
                .path(0).path("ModelDataUrl").asString());
    }

    /** Every file is in S3 with the source's SHA-256, and the manifest digest covers them all. */
    private static void assertTree(ArtifactStore s3, URI copied, Map<String, byte[]> files) throws Exception {
        assertThat(copied.toString()).startsWith("s3://models/synced/");
        Map<String, Digest> digests = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Digest expected = Digest.sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(file.getValue())));
            assertThat(s3.stat(URI.create(copied + "/" + file.getKey()))).as(file.getKey()).get()
                    .extracting(a -> a.digest()).isEqualTo(expected);
            digests.put(file.getKey(), expected);
        }
        assertThat(ArtifactCopy.manifestDigest(digests).value()).hasSize(64);
    }
}
