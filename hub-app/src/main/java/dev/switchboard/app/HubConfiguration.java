package dev.switchboard.app;

import dev.switchboard.core.camel.RouteReloader;
import dev.switchboard.core.camel.RouteValidator;
import dev.switchboard.core.camel.SwitchboardComponent;
import dev.switchboard.core.config.ConfigValidator;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.InvalidConfigurationException;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorDiscoveryException;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.ActionDispatcher;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.delivery.OutboxActionDispatcher;
import dev.switchboard.core.lineage.SyncLineage;
import dev.switchboard.core.poll.PollScheduler;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.core.webhook.WebhookIngress;
import dev.switchboard.spi.ConfigProblem;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Thin glue from Spring Boot to the core: every bean is a plain core object, built in the order start-up needs
 * (validate the whole config first, so a bad file stops the hub with every problem listed and nothing opened).
 */
@Configuration(proxyBeanMethods = false)
class HubConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HubConfiguration.class);
    private static final String EMBEDDED_NODE = "embedded";

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The built-in connectors and the plugins folder's; closing it (at shutdown) closes the plugins' jars. */
    @Bean(destroyMethod = "close")
    ConnectorRegistry connectorRegistry(SwitchboardProperties properties) {
        try {
            ConnectorRegistry connectors = ConnectorRegistry.discover(Thread.currentThread().getContextClassLoader(),
                    properties.getPlugins().getDirectory());
            connectors.plugins().forEach(plugin -> LOG.info("Plugin {} from {}: connector type(s) {}", plugin.name(),
                    plugin.location(), plugin.connectors().stream().map(c -> c.type() + " " + c.version()).toList()));
            return connectors;
        } catch (ConnectorDiscoveryException e) {
            throw new InvalidConfigurationException(e.problems());
        }
    }

    @Bean
    HubConfig hubConfig(SwitchboardProperties properties, ConnectorRegistry connectors) {
        HubConfig config = properties.toHubConfig();
        new ConfigValidator(connectors).requireValid(config);
        return config;
    }

    /** Rows carry the trace context of the spans that wrote them (see {@link TracingConfiguration}). */
    @Bean
    Store store(DataSource dataSource, Clock clock, Tracing tracing) {
        return Store.open(dataSource, clock, tracing);
    }

    /** With the sandbox on, this bean depends on it (see {@code sandbox.SandboxConfiguration}): keep its name. */
    @Bean(destroyMethod = "close")
    ConnectionRegistry connectionRegistry(HubConfig config, ConnectorRegistry connectors, Clock clock) {
        return ConnectionRegistry.open(config, connectors, clock);
    }

    @Bean
    Outbox outbox(Store store, Clock clock) {
        return new Outbox(store, clock);
    }

    @Bean
    DeadLetters deadLetters(Store store, Outbox outbox, SyncService sync, Clock clock) {
        return new DeadLetters(store, outbox, sync::replay, clock);
    }

    /**
     * Routes' actions go through the durable outbox: a step's first attempt is made on the route's worker when its
     * connection can take it at once, else the execution waits at the step until the engine has delivered it; then
     * it goes on with its result.
     */
    @Bean
    @ConditionalOnMissingBean
    ActionDispatcher actionDispatcher(Outbox outbox, DeliveryEngine engine) {
        return new OutboxActionDispatcher(outbox, engine);
    }

    /** Started with the context and stopped before the store closes; unfinished claims expire and are taken over. */
    @Bean(initMethod = "start", destroyMethod = "stop")
    DeliveryEngine deliveryEngine(Store store, Outbox outbox, ConnectionRegistry connections, DeadLetters deadLetters,
                                  SwitchboardProperties properties, MeterRegistry meters, InstanceId instanceId,
                                  Clock clock) {
        return new DeliveryEngine(store, outbox, connections, deadLetters, properties.getDelivery().toSettings(),
                meters, clock, instanceId);
    }

    /** With {@code switchboard.lineage.connection} set, every applied sync run is reported to it (OpenLineage). */
    @Bean
    SyncService syncService(Store store, ConnectionRegistry connections, HubConfig config, InstanceId instanceId,
                            Outbox outbox, SwitchboardProperties properties, Clock clock) {
        SyncService sync = SyncService.of(store, connections, config, instanceId, clock);
        String lineage = properties.getLineage().getConnection() == null ? ""
                : properties.getLineage().getConnection().trim();
        if (!lineage.isEmpty()) {
            boolean emits = connections.find(lineage).flatMap(entry -> entry.connection().actionTarget())
                    .filter(target -> target.actions().contains(SyncLineage.ACTION)).isPresent();
            if (!emits) {
                throw new InvalidConfigurationException(List.of(new ConfigProblem("switchboard.lineage.connection",
                        "must name an openlineage connection (one with the action " + SyncLineage.ACTION + "), was \""
                                + lineage + "\"")));
            }
            sync.addRunListener(new SyncLineage(outbox, store.identityMap(), lineage));
        }
        return sync;
    }

    /**
     * Runs sync jobs on their schedules and on the inbox events they name, and reloads the route files and the sync
     * jobs when their files change (or the API asks).
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    HubReloader hubReloader(SyncService sync, ConnectorRegistry connectors, ConnectionRegistry connections,
                            HubConfig config, SwitchboardProperties properties, Environment environment, Clock clock) {
        String file = environment.getProperty("SWITCHBOARD_CONFIG", "./switchboard.yaml");
        return new HubReloader(sync, connectors, connections, config, Path.of(file), clock,
                properties.getRoutes().getWatchInterval());
    }

    /**
     * This process start's id: lease holders are recognised by it, and by the stable instance name if one is set.
     * On the embedded H2 database the name defaults to {@value #EMBEDDED_NODE}: only one process can open its file,
     * so whatever a start finds leased there was its own dead predecessor's, and it takes it back at once instead of
     * waiting for the leases to run out (a hub restarted after kill -9 resumes its executions and deliveries at once).
     */
    @Bean
    InstanceId instanceId(SwitchboardProperties properties, Store store) {
        try {
            String node = properties.getInstanceName();
            if ((node == null || node.isBlank()) && store.dialect() == Store.Dialect.H2) {
                node = EMBEDDED_NODE;
            }
            InstanceId id = InstanceId.newStart(node);
            LOG.info("Hub instance {}", id);
            return id;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(List.of(new ConfigProblem("instance-name", e.getMessage())));
        }
    }

    /** Polls the connections that need it (MLflow 2.x has no webhooks), one instance per connection by lease. */
    @Bean(initMethod = "start", destroyMethod = "stop")
    PollScheduler pollScheduler(Store store, InstanceId instanceId, HubConfig config, ConnectionRegistry connections,
                                Clock clock) {
        return PollScheduler.forConnections(store, instanceId, config, connections, PollScheduler.Settings.DEFAULTS,
                clock);
    }

    @Bean
    WebhookIngress webhookIngress(ConnectionRegistry connections, Store store, HubConfig config, MeterRegistry meters,
                                  Clock clock) {
        return new WebhookIngress(connections, store.inbox(), config.webhooks(), meters, clock, store.tracing());
    }

    /** Camel finds components by bean name, so routes can say {@code switchboard:…}. */
    @Bean(SwitchboardComponent.SCHEME)
    SwitchboardComponent switchboardComponent(Store store, ActionDispatcher dispatcher, InstanceId instanceId) {
        // Route executions are claimed as this instance, under the default 25 s lease, renewed while they run.
        return new SwitchboardComponent(store, dispatcher, instanceId, SwitchboardComponent.DEFAULT_EXECUTION_LEASE);
    }

    @Bean
    RouteValidator routeValidator(ConnectionRegistry connections) {
        return new RouteValidator(connections);
    }

    /**
     * Loads the route files once {@link RouteValidator} finds nothing wrong with them, the same check as
     * {@code switchboard validate}: a file that would fail or be dropped at start is reported with every other
     * problem instead.
     */
    @Bean
    CamelContextConfiguration routeFileLoader(HubConfig config, RouteValidator validator, Store store,
                                              HubReloader reloader) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                if (config.routeDirectory() == null) {
                    LOG.info("No routes.directory configured: the hub runs without routes");
                    return;
                }
                RouteReloader routes = new RouteReloader(camelContext, validator, config.routeDirectory(),
                        store.executions());
                List<ConfigProblem> problems = routes.loadAll().problems().stream()
                        .map(problem -> new ConfigProblem("routes", problem)).toList();
                if (!problems.isEmpty()) {
                    throw new InvalidConfigurationException(problems);
                }
                reloader.attachRoutes(routes);
                LOG.info("Loaded {} route file(s) from {}", routes.routes().size(),
                        config.routeDirectory().toAbsolutePath());
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
            }
        };
    }
}
