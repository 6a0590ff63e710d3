package dev.switchboard.routes.sync;

import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.model.ApprovalStatus;
import java.time.Clock;
import java.util.Map;

/** The connections, mapping and hub the sync tests share, pointed at their fakes. */
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

    /**
     * A hub's sync service over {@code config} on its own H2 database {@code database} under {@code directory}; a
     * second one on a fresh database is a hub whose links were lost (killed right after its creates). What it opens
     * is added to {@code open}, for the test to close.
     */
    static SyncService hub(java.nio.file.Path directory, String database, HubConfig config,
                           java.util.List<AutoCloseable> open) {
        com.zaxxer.hikari.HikariDataSource dataSource = new com.zaxxer.hikari.HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:file:" + directory.resolve(database).toAbsolutePath());
        ConnectionRegistry connections = ConnectionRegistry.open(config,
                ConnectorRegistry.discover(SyncConnections.class.getClassLoader()), Clock.systemUTC());
        open.add(connections::close);
        open.add(dataSource::close);
        return SyncService.of(Store.open(dataSource, Clock.systemUTC()), connections, config, Clock.systemUTC());
    }

    static HubConfig.ConnectionSpec sagemaker(SageMakerFake sagemaker) {
        return new HubConfig.ConnectionSpec("sagemaker", Map.of("region", "eu-west-1",
                "endpoint-override", sagemaker.endpoint().toString(), "access-key-id", "AKIASYNC",
                "secret-access-key", "sync-secret", "max-attempts", "1",
                "default-image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/serve:1"));
    }
}
