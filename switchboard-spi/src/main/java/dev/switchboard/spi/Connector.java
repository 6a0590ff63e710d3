package dev.switchboard.spi;

import java.util.List;
import java.util.Set;

/**
 * A connector is a factory of {@link Connection}s to one kind of tool (MLflow, SageMaker, GitHub Actions).
 *
 * <p>The hub finds implementations with {@link java.util.ServiceLoader}, so an implementation must have a
 * public no-argument constructor and be listed in {@code META-INF/services/dev.switchboard.spi.Connector}.
 * One instance serves every connection of its type: it must be thread-safe and hold no per-connection state
 * (that belongs in the {@link Connection} that {@link #open} returns).
 *
 * <p>Start-up runs in this order for each configured connection: {@link #validate} (all connections first, so a
 * user sees every problem in one go), then {@link #open}. {@link Connection#check} is a live probe the hub runs
 * on demand (REST, CLI), never at start-up, so a tool that is down does not stop the hub.
 */
public interface Connector {

    /**
     * The type name users write in {@code switchboard.yaml} ({@code connections.<name>.type}): lower case,
     * stable across versions, unique among the connectors on the class path ({@code mlflow}).
     */
    String type();

    /**
     * The connector's own version, shown in the REST API, {@code switchboard validate} and logs. Write
     * {@code return Connector.versionOf(getClass());}: the {@code Implementation-Version} of the jar the connector's
     * class came from, which a build writes into the manifest (Maven's jar plugin with
     * {@code addDefaultImplementationEntries}), so the version users see is the artifact's and no literal drifts
     * from it. (Not a default method: turning an abstract method into a default one is a change the SPI's API check
     * refuses, as it can clash with a default of the same name in another interface a connector implements.)
     */
    String version();

    /**
     * The {@code Implementation-Version} of the manifest of the jar {@code type} was loaded from, or
     * {@value #UNPACKAGED_VERSION} when there is none: run from a classes directory (an IDE, a module's own tests) or
     * from a jar built without the entry.
     */
    static String versionOf(Class<?> type) {
        Package pkg = type.getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return version == null || version.isBlank() ? UNPACKAGED_VERSION : version;
    }

    /** What {@link #versionOf} says of a class that did not come from a jar with a version in its manifest. */
    String UNPACKAGED_VERSION = "unpackaged";

    /**
     * Every option this connector reads, in the order documentation should list them. The hub uses this list
     * to validate types, apply defaults, reject unknown option names and redact secrets in every message.
     */
    List<OptionDefinition> options();

    /** The capability ports every connection of this type offers; the hub asks for no others. */
    Set<Capability> capabilities();

    /**
     * What the tool can hold, so a sync can report the fields a target could not carry instead of dropping
     * them silently.
     */
    Fidelity fidelity();

    /**
     * Checks a configuration and returns <strong>every</strong> problem, never only the first. The default
     * checks the {@link #options() option definitions} (required, type, unknown names); override to add
     * cross-field rules, and include {@code super.validate(config)}'s problems — {@link Options#validate} does
     * that part. Must not contact the tool and must not throw for bad input.
     *
     * @param config the connection's configuration, secrets already resolved
     * @return the problems, each with its path ({@code connections.<name>.options.<option>}); empty when valid
     */
    default List<ConfigProblem> validate(ConnectionConfig config) {
        return Options.validate(options(), config);
    }

    /**
     * Opens a connection for a configuration that {@link #validate} accepted. Creates clients but should not
     * contact the tool (that is {@link Connection#check}'s job), so the hub starts while a tool is down.
     *
     * @param config  the validated configuration, with option defaults applied
     * @param context services the hub offers to the connection
     * @throws ConnectorException of kind {@link ErrorKind#CONFIGURATION} if the configuration cannot be used
     */
    Connection open(ConnectionConfig config, ConnectorContext context);
}
