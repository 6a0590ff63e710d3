package dev.switchboard.core.connection;

import dev.switchboard.core.config.ConfigValidator;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open connections of a running hub, by name. Built from a validated {@link HubConfig}: each connection is
 * opened with its connector's option defaults applied. Also the hub's {@link ArtifactResolver}: a URI goes to the
 * first connection whose artifact store serves it.
 */
public final class ConnectionRegistry implements ArtifactResolver, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

    /**
     * An open connection and the connector that made it.
     *
     * @param connection the open connection
     * @param connector  its connector
     * @param config     the configuration it was opened with (defaults applied)
     */
    public record Entry(Connection connection, Connector connector, ConnectionConfig config) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ConnectionRegistry() {
    }

    /** Opens every connection of {@code config}, which must have passed {@link ConfigValidator}. */
    public static ConnectionRegistry open(HubConfig config, ConnectorRegistry connectors, Clock clock) {
        ConnectionRegistry registry = new ConnectionRegistry();
        ConnectorContext context = new ConnectorContext(clock, registry);
        try {
            config.connections().forEach((name, spec) -> {
                Connector connector = connectors.find(spec.type()).orElseThrow(() ->
                        new IllegalStateException("connection " + name + " has unknown type " + spec.type()));
                ConnectionConfig connectionConfig = ConfigValidator.toConnectionConfig(name, spec)
                        .withDefaults(Options.defaults(connector.options()));
                registry.entries.put(name, new Entry(connector.open(connectionConfig, context), connector,
                        connectionConfig));
                LOG.info("Opened connection {} ({} {})", name, connector.type(), connector.version());
            });
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The connection named {@code name}; a {@code CONFIGURATION} error if none is configured. */
    public Connection get(String name) {
        return find(name).map(Entry::connection).orElseThrow(() -> ConnectorException.configuration(name,
                "no connection named " + name + " is configured; configured: " + String.join(", ", entries.keySet())));
    }

    public Collection<Entry> all() {
        return Collections.unmodifiableCollection(entries.values());
    }

    @Override
    public Optional<ArtifactStore> storeFor(URI uri) {
        return entries.values().stream()
                .map(entry -> entry.connection().artifactStore())
                .flatMap(Optional::stream)
                .filter(store -> store.serves(uri))
                .findFirst();
    }

    /** The store of {@code connection} when it serves {@code uri}; else the first connection's that does. */
    @Override
    public Optional<ArtifactStore> storeFor(URI uri, String connection) {
        Optional<ArtifactStore> own = connection == null ? Optional.empty() : find(connection)
                .flatMap(entry -> entry.connection().artifactStore()).filter(store -> store.serves(uri));
        return own.or(() -> storeFor(uri));
    }

    @Override
    public void close() {
        entries.values().forEach(entry -> {
            try {
                entry.connection().close();
            } catch (RuntimeException e) {
                LOG.warn("Closing connection {} failed: {}", entry.connection().name(), e.getMessage());
            }
        });
    }
}
