package dev.switchboard.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hub's configuration ({@code switchboard.yaml}, key {@code switchboard}) in framework-neutral form: the app
 * binds it with Spring Boot, tests and tools build it directly.
 *
 * @param connections    configured connections by name
 * @param routeDirectory where the {@code *.camel.yaml} route files live, or {@code null} for no routes
 * @param webhooks       ingress settings
 * @param syncJobs       declared sync jobs by name ({@code sync-jobs.<name>}); each spec's name is its key
 */
public record HubConfig(Map<String, ConnectionSpec> connections, Path routeDirectory, Webhooks webhooks,
                        Map<String, SyncJobSpec> syncJobs) {

    /** The connection name routes use for the hub's own actions ({@code switchboard:hub/copy-artifact}); reserved. */
    public static final String HUB_CONNECTION = "hub";

    public HubConfig {
        connections = connections == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(connections));
        webhooks = webhooks == null ? Webhooks.DEFAULTS : webhooks;
        syncJobs = syncJobs == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(syncJobs));
    }

    /** A configuration without sync jobs. */
    public HubConfig(Map<String, ConnectionSpec> connections, Path routeDirectory, Webhooks webhooks) {
        this(connections, routeDirectory, webhooks, null);
    }

    /**
     * One connection as written in the file.
     *
     * @param type    the connector type ({@code mlflow}); may be null or unknown, which validation reports
     * @param options option values by name, with {@code ${ENV}} references resolved where they could be
     */
    public record ConnectionSpec(String type, Map<String, String> options) {

        public ConnectionSpec {
            options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(options));
        }
    }

    /**
     * Webhook ingress settings.
     *
     * @param maxBodyBytes  the largest body accepted; larger ones get 413
     * @param timestampSkewSeconds how far a signed timestamp may be from the hub's clock
     * @param bodyTimeout   how long a request body (a webhook's, and any other the hub's HTTP server reads) may take
     *                      to arrive in full once its headers are in; then 408
     */
    public record Webhooks(long maxBodyBytes, long timestampSkewSeconds, Duration bodyTimeout) {

        public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
        public static final Webhooks DEFAULTS = new Webhooks(1024 * 1024, 300, DEFAULT_BODY_TIMEOUT);

        /** Settings with the default body timeout. */
        public Webhooks(long maxBodyBytes, long timestampSkewSeconds) {
            this(maxBodyBytes, timestampSkewSeconds, DEFAULT_BODY_TIMEOUT);
        }
    }
}
