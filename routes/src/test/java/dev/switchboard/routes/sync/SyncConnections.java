package dev.switchboard.routes.sync;

import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.model.ApprovalStatus;
import java.util.Map;

/** The connections and mapping the MLflow → SageMaker sync tests share, pointed at their fakes. */
final class SyncConnections {

    private SyncConnections() {
    }

    /** Versions aliased {@code champion} arrive approved, every other one pending. */
    static final SyncJobSpec.FieldMapping CHAMPION_APPROVED = new SyncJobSpec.FieldMapping(
            Map.of("champion", ApprovalStatus.APPROVED), null, null, ApprovalStatus.PENDING, null);

    static HubConfig.ConnectionSpec s3Models(S3ProxyServer s3) {
        return new HubConfig.ConnectionSpec("s3", Map.of("bucket-prefix", "s3://models",
                "region", S3ProxyServer.REGION, "endpoint-override", s3.endpoint().toString(),
                "path-style", "true", "access-key-id", S3ProxyServer.ACCESS_KEY_ID,
                "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY));
    }

    static HubConfig.ConnectionSpec sagemaker(SageMakerFake sagemaker) {
        return new HubConfig.ConnectionSpec("sagemaker", Map.of("region", "eu-west-1",
                "endpoint-override", sagemaker.endpoint().toString(), "access-key-id", "AKIASYNC",
                "secret-access-key", "sync-secret", "max-attempts", "1",
                "default-image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serve:1"));
    }
}
