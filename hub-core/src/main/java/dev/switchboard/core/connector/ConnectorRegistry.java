package dev.switchboard.core.connector;

import dev.switchboard.spi.Connector;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The connectors on the class path, by type name, found with {@link ServiceLoader}: a plugin is a jar that lists
 * its {@link Connector} in {@code META-INF/services/dev.switchboard.spi.Connector}.
 */
public final class ConnectorRegistry {

    private final Map<String, Connector> byType;

    private ConnectorRegistry(Map<String, Connector> byType) {
        this.byType = Collections.unmodifiableMap(byType);
    }

    /** Discovers every connector visible to {@code classLoader}; two connectors with one type name is an error. */
    public static ConnectorRegistry discover(ClassLoader classLoader) {
        return of(ServiceLoader.load(Connector.class, classLoader).stream().map(ServiceLoader.Provider::get).toList());
    }

    public static ConnectorRegistry of(List<Connector> connectors) {
        Map<String, Connector> byType = new TreeMap<>();
        for (Connector connector : connectors) {
            Connector previous = byType.putIfAbsent(connector.type(), connector);
            if (previous != null) {
                throw new IllegalStateException("two connectors declare type \"" + connector.type() + "\": "
                        + previous.getClass().getName() + " and " + connector.getClass().getName()
                        + "; remove one jar from the class path");
            }
        }
        return new ConnectorRegistry(byType);
    }

    public Optional<Connector> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** The known type names, sorted. */
    public Collection<String> types() {
        return byType.keySet();
    }

    public Collection<Connector> all() {
        return byType.values();
    }
}
