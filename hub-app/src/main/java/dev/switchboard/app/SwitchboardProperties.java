package dev.switchboard.app;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.InvalidConfigurationException;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.spi.ConfigProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code switchboard:} section of {@code switchboard.yaml}, bound by Spring Boot (so environment variables and
 * profiles work), and handed to the core as a {@link HubConfig}. No validation here: the core's validator reports
 * every problem at once.
 */
@ConfigurationProperties("switchboard")
public class SwitchboardProperties {

    private Map<String, Connection> connections = new LinkedHashMap<>();
    private Map<String, SyncJobSpec> syncJobs = new LinkedHashMap<>();
    private final Routes routes = new Routes();
    private final Webhooks webhooks = new Webhooks();
    private final Delivery delivery = new Delivery();
    private final Plugins plugins = new Plugins();
    private final Lineage lineage = new Lineage();
    /** A stable, unique name for this instance (a pod name), so a restart takes its predecessor's leases at once. */
    private String instanceName;

    public Map<String, Connection> getConnections() {
        return connections;
    }

    public void setConnections(Map<String, Connection> connections) {
        this.connections = connections;
    }

    public Map<String, SyncJobSpec> getSyncJobs() {
        return syncJobs;
    }

    public void setSyncJobs(Map<String, SyncJobSpec> syncJobs) {
        this.syncJobs = syncJobs;
    }

    public Routes getRoutes() {
        return routes;
    }

    public Webhooks getWebhooks() {
        return webhooks;
    }

    public Delivery getDelivery() {
        return delivery;
    }

    public Plugins getPlugins() {
        return plugins;
    }

    public Lineage getLineage() {
        return lineage;
    }

    public String getInstanceName() {
        return instanceName;
    }

    public void setInstanceName(String instanceName) {
        this.instanceName = instanceName;
    }

    public HubConfig toHubConfig() {
        Map<String, HubConfig.ConnectionSpec> specs = new LinkedHashMap<>();
        connections.forEach((name, connection) ->
                specs.put(name, new HubConfig.ConnectionSpec(connection.getType(), connection.getOptions())));
        // A job's name is its key in the file; the bound spec does not carry it.
        Map<String, SyncJobSpec> jobs = new LinkedHashMap<>();
        syncJobs.forEach((name, job) -> jobs.put(name, new SyncJobSpec(name, job.source(), job.target(),
                job.selection(), job.mapping(), job.artifacts(), job.trigger(), job.pageSize())));
        return new HubConfig(specs, routes.getDirectory(),
                new HubConfig.Webhooks(webhooks.getMaxBodyBytes(), webhooks.getTimestampSkewSeconds(),
                        webhooks.getBodyTimeout()), jobs);
    }

    /** One connection: a connector type and its options. */
    public static class Connection {

        private String type;
        private Map<String, String> options = new LinkedHashMap<>();

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }

        public Map<String, String> getOptions() {
            return options;
        }

        public void setOptions(Map<String, String> options) {
            this.options = options;
        }
    }

    /** Where route files live. */
    /** Where sync runs are reported as OpenLineage runs: an {@code openlineage} connection, or none. */
    public static class Lineage {

        private String connection;

        public String getConnection() {
            return connection;
        }

        public void setConnection(String connection) {
            this.connection = connection;
        }
    }

    public static class Routes {

        private Path directory;
        /** How often the route files and the configuration file are looked at for changes; 0 turns it off. */
        private Duration watchInterval = Duration.ofSeconds(1);

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        public Duration getWatchInterval() {
            return watchInterval;
        }

        public void setWatchInterval(Duration watchInterval) {
            this.watchInterval = watchInterval;
        }
    }

    /**
     * Connector plugins loaded beside the built-in connectors: each jar (a fat jar) or folder (a connector's jar with
     * its libraries) in {@code directory} is one plugin, with its own class loader. A missing folder holds none.
     */
    public static class Plugins {

        /** The hub's working directory's {@code plugins}, unless set. */
        private Path directory = Path.of("plugins");

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }
    }

    /** Webhook ingress limits. */
    public static class Webhooks {

        private long maxBodyBytes = HubConfig.Webhooks.DEFAULTS.maxBodyBytes();
        private long timestampSkewSeconds = HubConfig.Webhooks.DEFAULTS.timestampSkewSeconds();
        /** How long a webhook or admin API body may take to arrive in full once its headers are in; then 408. */
        private Duration bodyTimeout = HubConfig.Webhooks.DEFAULTS.bodyTimeout();

        public long getMaxBodyBytes() {
            return maxBodyBytes;
        }

        public void setMaxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        public long getTimestampSkewSeconds() {
            return timestampSkewSeconds;
        }

        public void setTimestampSkewSeconds(long timestampSkewSeconds) {
            this.timestampSkewSeconds = timestampSkewSeconds;
        }

        public Duration getBodyTimeout() {
            return bodyTimeout;
        }

        public void setBodyTimeout(Duration bodyTimeout) {
            this.bodyTimeout = bodyTimeout;
        }
    }

    /** How the delivery engine retries and how many deliveries it runs at once. */
    public static class Delivery {

        private static final DeliveryEngine.Settings DEFAULTS = DeliveryEngine.Settings.DEFAULTS;

        private int maxAttempts = DEFAULTS.maxAttempts();
        private Duration baseBackoff = DEFAULTS.baseBackoff();
        private Duration maxBackoff = DEFAULTS.maxBackoff();
        private int workers = DEFAULTS.workers();
        private Duration lease = DEFAULTS.lease();
        private Duration pollInterval = DEFAULTS.pollInterval();

        /** The engine's settings; a bad value is reported with its path. */
        public DeliveryEngine.Settings toSettings() {
            try {
                return new DeliveryEngine.Settings(maxAttempts, baseBackoff, maxBackoff, workers, lease, pollInterval);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(List.of(new ConfigProblem("delivery", e.getMessage())));
            }
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getBaseBackoff() {
            return baseBackoff;
        }

        public void setBaseBackoff(Duration baseBackoff) {
            this.baseBackoff = baseBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public int getWorkers() {
            return workers;
        }

        public void setWorkers(int workers) {
            this.workers = workers;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }
    }
}
