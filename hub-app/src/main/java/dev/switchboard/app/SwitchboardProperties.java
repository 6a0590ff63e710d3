package dev.switchboard.app;

import dev.switchboard.core.config.HubConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    private final Routes routes = new Routes();
    private final Webhooks webhooks = new Webhooks();

    public Map<String, Connection> getConnections() {
        return connections;
    }

    public void setConnections(Map<String, Connection> connections) {
        this.connections = connections;
    }

    public Routes getRoutes() {
        return routes;
    }

    public Webhooks getWebhooks() {
        return webhooks;
    }

    public HubConfig toHubConfig() {
        Map<String, HubConfig.ConnectionSpec> specs = new LinkedHashMap<>();
        connections.forEach((name, connection) ->
                specs.put(name, new HubConfig.ConnectionSpec(connection.getType(), connection.getOptions())));
        return new HubConfig(specs, routes.getDirectory(),
                new HubConfig.Webhooks(webhooks.getMaxBodyBytes(), webhooks.getTimestampSkewSeconds()));
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
    public static class Routes {

        private Path directory;

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
    }
}
