package dev.switchboard.core.connector;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The plugins folder ({@code switchboard.plugins.directory}): every {@code .jar} directly in it is one plugin (a
 * fat jar with its libraries inside), and every sub-folder is one plugin made of the {@code .jar} files directly in
 * it (the connector's jar beside its libraries). Each plugin gets its own {@link PluginClassLoader}, so two plugins,
 * or a plugin and the hub, can use different versions of one library. Files that are not jars, and names starting
 * with a dot, are ignored; a folder that does not exist holds no plugins.
 *
 * <p>A plugin's connectors are found as the hub finds its own: {@link ServiceLoader} over
 * {@code META-INF/services/dev.switchboard.spi.Connector}, but in the plugin's jars only.
 */
public final class PluginFolder implements AutoCloseable {

    /** The configuration key every plugin problem is reported under. */
    public static final String KEY = "plugins.directory";

    /**
     * One loaded plugin.
     *
     * @param name       the jar's file name or the folder's name
     * @param location   the jar or folder
     * @param connectors what its service file lists, instantiated in its class loader
     */
    public record Plugin(String name, Path location, ClassLoader classLoader, List<Connector> connectors) {
    }

    private final List<Plugin> plugins;
    private final List<PluginClassLoader> loaders;

    private PluginFolder(List<Plugin> plugins, List<PluginClassLoader> loaders) {
        this.plugins = List.copyOf(plugins);
        this.loaders = List.copyOf(loaders);
    }

    /**
     * Loads every plugin in {@code directory}, each in a class loader whose parent shares only the SPI, the canonical
     * model, slf4j-api and the JDK with {@code hub}.
     *
     * @throws ConnectorDiscoveryException listing every plugin that cannot be read or declares no connector
     */
    public static PluginFolder load(Path directory, ClassLoader hub) {
        if (directory == null || !Files.exists(directory)) {
            return new PluginFolder(List.of(), List.of());
        }
        Path folder = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new ConnectorDiscoveryException(List.of(new ConfigProblem(KEY,
                    "must be a folder of connector plugins, but " + folder + " is a file")));
        }
        List<Plugin> plugins = new ArrayList<>();
        List<PluginClassLoader> loaders = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (Path entry : list(folder)) {
            String name = entry.getFileName().toString();
            List<Path> jars = Files.isDirectory(entry) ? list(entry).stream().filter(PluginFolder::isJar).toList()
                    : List.of(entry);
            if (jars.isEmpty()) {
                problems.add(problem(name, entry, "holds no .jar files; put the connector's jar and its libraries "
                        + "directly in the folder"));
                continue;
            }
            PluginClassLoader loader = new PluginClassLoader(name, urls(jars), hub);
            loaders.add(loader);
            try {
                List<Connector> connectors = PluginContext.within(loader, () -> ServiceLoader.load(Connector.class,
                        loader).stream().map(ServiceLoader.Provider::get).toList());
                if (connectors.isEmpty()) {
                    problems.add(problem(name, entry, "declares no connector: none of its jars has "
                            + "META-INF/services/" + Connector.class.getName()));
                } else {
                    plugins.add(new Plugin(name, entry, loader, connectors));
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                // A provider class that is missing, does not implement the SPI (built against another SPI version) or
                // fails in its constructor.
                problems.add(problem(name, entry, "cannot load its connector: " + e.getMessage()));
            }
        }
        PluginFolder loaded = new PluginFolder(plugins, loaders);
        if (!problems.isEmpty()) {
            loaded.close();
            throw new ConnectorDiscoveryException(problems);
        }
        return loaded;
    }

    public List<Plugin> plugins() {
        return plugins;
    }

    /** Closes the plugins' class loaders (their jar files); their connectors must not be used afterwards. */
    @Override
    public void close() {
        for (PluginClassLoader loader : loaders) {
            try {
                loader.close();
            } catch (IOException e) {
                // Only open jar handles are at stake, and the hub is shutting down or the load failed anyway.
            }
        }
    }

    private static ConfigProblem problem(String name, Path location, String message) {
        return new ConfigProblem(KEY, "plugin " + name + " (" + location + ") " + message);
    }

    private static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
    }

    /** The plugins (or a plugin's jars), sorted so that loading and messages do not depend on the file system. */
    private static List<Path> list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(path -> !path.getFileName().toString().startsWith("."))
                    .filter(path -> Files.isDirectory(path) || isJar(path)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static List<URL> urls(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalStateException("a file path is always a URL: " + jar, e);
            }
        }
        return urls;
    }
}
