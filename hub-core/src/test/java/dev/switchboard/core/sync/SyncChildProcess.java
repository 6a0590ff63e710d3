package dev.switchboard.core.sync;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A hub that runs one sync job and exits, started in its own JVM by {@link SyncProcessKillTest} so the test can kill
 * it with SIGKILL mid-run. Its store is a PostgreSQL database and its registries are journaled to files, both of
 * which outlive the process.
 */
public final class SyncChildProcess {

    static final String JOB = "a-to-b";
    static final String NODE = "sync-child";

    private SyncChildProcess() {
    }

    /** Arguments: the store's JDBC URL, the directory of the registries' journals. */
    public static void main(String[] args) {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(args[0]);
        pool.setUsername("postgres");
        pool.setPassword("postgres");
        pool.setMaximumPoolSize(2);
        try (HikariDataSource dataSource = new HikariDataSource(pool);
             Hub hub = Hub.open(Store.open(dataSource, Clock.systemUTC()), Path.of(args[1]), "2ms")) {
            SyncReport report = hub.sync().apply(JOB);
            System.out.println("finished " + report.run().status());
        }
    }

    /**
     * A hub whose connections {@code a} and {@code b} are in-memory registries journaled under {@code journals},
     * with a job {@value #JOB} from {@code a} to {@code b}.
     */
    record Hub(SyncService sync, ConnectionRegistry connections) implements AutoCloseable {

        static Hub open(Store store, Path journals, String writeDelay) {
            Map<String, String> target = writeDelay == null
                    ? Map.of("journal", journals.resolve("b.json").toString())
                    : Map.of("journal", journals.resolve("b.json").toString(), "write-delay", writeDelay);
            HubConfig config = new HubConfig(Map.of(
                    "a", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE,
                            Map.of("journal", journals.resolve("a.json").toString())),
                    "b", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE, target)),
                    null, null, Map.of(JOB, SyncJobSpec.of(JOB, "a", "b").withPageSize(30)));
            ConnectionRegistry connections = ConnectionRegistry.open(config,
                    ConnectorRegistry.of(List.of(new InMemoryRegistryConnector())), Clock.systemUTC());
            // Every start is the same node: a restarted hub takes its killed predecessor's lease and run over at once.
            return new Hub(SyncService.of(store, connections, config, InstanceId.newStart(NODE), Clock.systemUTC()),
                    connections);
        }

        @Override
        public void close() {
            sync.close();
            connections.close();
        }
    }
}
