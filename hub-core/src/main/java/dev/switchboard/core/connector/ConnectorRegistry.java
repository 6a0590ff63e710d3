package dev.switchboard.core.connector;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The connectors by type name, each with its {@link ConnectorOrigin}: the hub's own (found with {@link ServiceLoader}
 * on its class path: a jar that lists its {@link Connector} in {@code META-INF/services/dev.switchboard.spi.Connector})
 * and those of the plugins folder ({@link PluginFolder}). A type name provided twice is an error that names both
 * providers. Closing the registry closes the plugins' class loaders. A plugin's connector is handed out wrapped so
 * that every call into it (and into the connections and ports it returns) runs with the plugin's class loader as
 * the thread context class loader ({@link PluginContext}).
 */
public final class ConnectorRegistry implements AutoCloseable {

    private record Registered(Connector connector, ConnectorOrigin origin) {
    }

    private final Map<String, Registered> byType;
    private final PluginFolder plugins;

    private ConnectorRegistry(Map<String, Registered> byType, PluginFolder plugins) {
        this.byType = Collections.unmodifiableMap(byType);
        this.plugins = plugins;
    }

    /** Discovers every connector visible to {@code classLoader}; two connectors with one type name is an error. */
    public static ConnectorRegistry discover(ClassLoader classLoader) {
        return of(builtIn(classLoader));
    }

    /**
     * The connectors on the hub's class path plus those of the plugins in {@code pluginsDirectory} (which need not
     * exist).
     *
     * @throws ConnectorDiscoveryException listing every plugin that cannot be loaded and every type provided twice
     */
    public static ConnectorRegistry discover(ClassLoader hub, Path pluginsDirectory) {
        List<Connector> builtIn = builtIn(hub);
        PluginFolder plugins = PluginFolder.load(pluginsDirectory, hub);
        List<Registered> all = new ArrayList<>();
        builtIn.forEach(connector -> all.add(new Registered(connector, ConnectorOrigin.builtIn(connector.getClass()))));
        for (PluginFolder.Plugin plugin : plugins.plugins()) {
            // Each call into the plugin runs with its class loader as the thread's context class loader.
            plugin.connectors().forEach(connector -> all.add(new Registered(
                    PluginContext.bind(connector, plugin.classLoader()),
                    ConnectorOrigin.plugin(plugin.name(), plugin.location(), connector.getClass()))));
        }
        try {
            return new ConnectorRegistry(byType(all), plugins);
        } catch (ConnectorDiscoveryException e) {
            plugins.close();
            throw e;
        }
    }

    /** A registry of the given connectors, all counted as built in (tests, benchmarks, embedded hosts). */
    public static ConnectorRegistry of(List<Connector> connectors) {
        return new ConnectorRegistry(byType(connectors.stream()
                .map(connector -> new Registered(connector, ConnectorOrigin.builtIn(connector.getClass()))).toList()),
                null);
    }

    private static List<Connector> builtIn(ClassLoader classLoader) {
        return ServiceLoader.load(Connector.class, classLoader).stream().map(ServiceLoader.Provider::get).toList();
    }

    private static Map<String, Registered> byType(List<Registered> connectors) {
        Map<String, Registered> byType = new TreeMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (Registered registered : connectors) {
            String type = registered.connector().type();
            Registered previous = byType.putIfAbsent(type, registered);
            if (previous != null) {
                problems.add(new ConfigProblem(PluginFolder.KEY, "connector type \"" + type + "\" is provided twice: by "
                        + previous.origin().describe() + " and by " + registered.origin().describe()
                        + "; remove one of them (a hub cannot tell which one a connection means)"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConnectorDiscoveryException(problems);
        }
        return byType;
    }

    public Optional<Connector> find(String type) {
        return Optional.ofNullable(byType.get(type)).map(Registered::connector);
    }

    /** Where the connector of {@code type} came from: built in, or which plugin. */
    public Optional<ConnectorOrigin> origin(String type) {
        return Optional.ofNullable(byType.get(type)).map(Registered::origin);
    }

    /** The known type names, sorted. */
    public Collection<String> types() {
        return byType.keySet();
    }

    public Collection<Connector> all() {
        return byType.values().stream().map(Registered::connector).toList();
    }

    /** The loaded plugins, in name order (empty without a plugins folder). */
    public List<PluginFolder.Plugin> plugins() {
        return plugins == null ? List.of() : plugins.plugins();
    }

    @Override
    public void close() {
        if (plugins != null) {
            plugins.close();
        }
    }
}
