package dev.switchboard.routes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.FidelityGap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.Fidelity;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The one-way sync teams ask for most, against the vendors' stateful fakes: MLflow (artifact behind its artifact
 * proxy) → SageMaker, with the artifact copied to S3 (real S3Proxy) and verified by SHA-256, alias {@code champion}
 * mapped to approval, a fidelity report of what SageMaker cannot hold, and a re-run that writes nothing.
 */
class MlflowToSageMakerSyncTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();
    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();
    @Fake
    static final S3ProxyServer S3 = new S3ProxyServer("models");

    static final byte[] MODEL = new byte[128 * 1024 + 7];

    static {
        new Random(7).nextBytes(MODEL);
    }

    @TempDir
    Path directory;

    private HikariDataSource dataSource;
    private ConnectionRegistry connections;
    private SyncService sync;

    @BeforeEach
    void openHub() {
        SyncJobSpec job = SyncJobSpec.of("mlflow-to-sagemaker", "mlflow-prod", "sagemaker-prod")
                .withMapping(SyncConnections.CHAMPION_APPROVED)
                .withArtifacts(SyncJobSpec.ArtifactPolicy.copyTo(URI.create("s3://models/synced")));
        HubConfig config = new HubConfig(Map.of(
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url", MLFLOW.baseUrl().toString())),
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
    void versionsArriveApprovedWithAVerifiedCopyAndTheReportNamesWhatSageMakerCannotHold() throws Exception {
        MLFLOW.putArtifact("churn/model.bin", MODEL);
        String version = MLFLOW.createModelVersion("churn", "mlflow-artifacts:/churn/model.bin");
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", version));
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", "churn", "version", version,
                "stage", "Production", "archive_existing_versions", "false"));

        SyncReport first = sync.apply("mlflow-to-sagemaker");
        SAGEMAKER.server().resetRequests();
        SyncReport again = sync.apply("mlflow-to-sagemaker", SyncService.Scope.FULL);

        assertThat(first.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.kind()).isEqualTo(SyncOutcome.Kind.CREATED);
            assertThat(outcome.fidelity()).extracting(FidelityGap::field)
                    .contains(Fidelity.Field.STAGE, Fidelity.Field.ALIASES);
        });
        JsonNode registered = SAGEMAKER.describe("churn", 1);
        assertThat(registered.path("ModelApprovalStatus").asString()).isEqualTo("Approved");
        URI copy = URI.create(registered.path("InferenceSpecification").path("Containers").path(0)
                .path("ModelDataUrl").asString());
        assertThat(copy.toString()).startsWith("s3://models/synced/");
        var inS3 = connections.get("s3-models").artifactStore().orElseThrow().stat(copy).orElseThrow();
        assertThat(inS3.digest()).isEqualTo(Digest.sha256(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(MODEL))));
        assertThat(again.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(SAGEMAKER.server().getAllServeEvents()).as("SageMaker calls of the no-change re-run").isEmpty();
        assertThat(SAGEMAKER.packages("churn")).hasSize(1);
    }
}
