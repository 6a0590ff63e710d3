package dev.switchboard.core.connector;

import dev.switchboard.spi.Connector;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a connector type came from: built into the hub (found on its own class path) or a plugin in the plugins
 * folder, so that {@code switchboard validate}, the REST API and the console can say which jar to look at.
 *
 * @param plugin   {@link #BUILT_IN}, or the plugin's name: its jar's file name ({@code gitlab-connector.jar}) or its
 *                 folder's name ({@code gitlab})
 * @param location the plugin's jar or folder, or {@code null} for a built-in connector
 * @param jar      the file name of the jar the connector class was loaded from ({@code connector-mlflow.jar}), or a
 *                 module's class directory when run from a build ({@code mlflow (classes)})
 */
public record ConnectorOrigin(String plugin, Path location, String jar) {

    /** The {@link #plugin} of a connector found on the hub's own class path. */
    public static final String BUILT_IN = "built-in";

    public ConnectorOrigin {
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(jar, "jar");
    }

    static ConnectorOrigin builtIn(Class<?> connectorClass) {
        return new ConnectorOrigin(BUILT_IN, null, jarOf(connectorClass));
    }

    static ConnectorOrigin plugin(String name, Path location, Class<?> connectorClass) {
        return new ConnectorOrigin(name, location, jarOf(connectorClass));
    }

    public boolean builtIn() {
        return location == null;
    }

    /** For messages: {@code built-in (connector-mlflow.jar)} or {@code plugin gitlab (/opt/switchboard/plugins/gitlab)}. */
    public String describe() {
        return builtIn() ? BUILT_IN + " (" + jar + ")" : "plugin " + plugin + " (" + location + ")";
    }

    /**
     * The class implementing {@code connector}: its own, also when the registry handed it out wrapped (a plugin's
     * connectors are, so that calls into them run under the plugin's class loader).
     */
    public static Class<?> implementationOf(Connector connector) {
        return PluginContext.implementationOf(connector);
    }

    /** The file name of the jar (or the build's class directory) a class was loaded from. */
    public static String jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            return "(unknown)";
        }
        // A jar ("…/connector-mlflow.jar", or "…/BOOT-INF/lib/connector-mlflow.jar!/" inside the hub's own jar), or a
        // module's class directory when run from a build ("…/connectors/mlflow/target/classes/").
        List<String> names = Arrays.stream(location.getPath().replace("!", "").split("/"))
                .filter(segment -> !segment.isEmpty()).toList();
        if (names.isEmpty()) {
            return "(unknown)";
        }
        String last = names.get(names.size() - 1);
        if ((last.equals("classes") || last.equals("test-classes")) && names.size() >= 3) {
            return names.get(names.size() - 3) + " (" + last + ")";
        }
        return last;
    }
}
