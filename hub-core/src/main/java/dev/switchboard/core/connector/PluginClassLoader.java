package dev.switchboard.core.connector;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin: its own jars first for everything except the packages it shares with the hub,
 * which are the SPI, the canonical model (with the Jackson annotations its records carry), the logging API and the
 * JDK. Anything else the hub has (its Jackson databind, HTTP clients, Camel, Spring) is invisible to a plugin, so
 * a plugin that ships another version of such a library gets its own.
 *
 * <p>Shared types must be the hub's very classes: a plugin's {@code Connector} is only a {@code Connector} to the
 * hub if both name the same {@code Class}. That is why a fat jar that bundles the SPI still works: the shared
 * packages are asked of the parent first, so its copy is never used.
 */
final class PluginClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    PluginClassLoader(String plugin, List<URL> jars, ClassLoader hub) {
        super("plugin " + plugin, jars.toArray(URL[]::new), new SharedPackages(hub));
    }

    /**
     * The parent of every plugin class loader: the JDK (the platform class loader) plus the shared packages,
     * borrowed from the hub's class loader; it finds nothing else, classes or resources.
     */
    static final class SharedPackages extends ClassLoader {

        /**
         * Package prefixes a plugin sees from the hub. The Jackson annotations come with the canonical model: its
         * records carry {@code @JsonValue}/{@code @JsonCreator}, which a plugin's own Jackson honours only if they
         * are the same classes. The annotations jar has no behaviour and keeps old annotations, so sharing it does
         * not pin a plugin's databind version.
         */
        static final List<String> SHARED = List.of(
                "dev.switchboard.spi.", "dev.switchboard.model.", "org.slf4j.", "com.fasterxml.jackson.annotation.");

        static {
            registerAsParallelCapable();
        }

        private final ClassLoader hub;

        SharedPackages(ClassLoader hub) {
            super("switchboard-spi", ClassLoader.getPlatformClassLoader());
            this.hub = hub;
        }

        static boolean shared(String className) {
            return SHARED.stream().anyMatch(className::startsWith);
        }

        private static boolean sharedResource(String name) {
            return shared(name.replace('/', '.'));
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (shared(name)) {
                return hub.loadClass(name);
            }
            // The platform class loader (the JDK), then findClass, which finds nothing.
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            // Not the hub's META-INF/services files in particular: a plugin must discover only its own connectors.
            return sharedResource(name) ? hub.getResource(name) : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return sharedResource(name) ? hub.getResources(name) : super.getResources(name);
        }

        @Override
        protected URL findResource(String name) {
            return null;
        }

        @Override
        protected Enumeration<URL> findResources(String name) {
            return Collections.emptyEnumeration();
        }
    }
}
