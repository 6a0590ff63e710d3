package dev.switchboard.connector.openlineage;

import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The OpenLineage connector: an action target that posts OpenLineage {@code RunEvent}s to an OpenLineage HTTP
 * endpoint (Marquez's {@code /api/v1/lineage}, or any backend that takes the HTTP transport). Routes and sync runs
 * reach it through the outbox, so an event is retried like any delivery and never dropped.
 */
public final class OpenLineageConnector implements Connector {

    public static final String TYPE = "openlineage";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public List<OptionDefinition> options() {
        return OpenLineageOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ACTION_TARGET);
    }

    /** A lineage backend holds no model metadata. */
    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return OpenLineageOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new OpenLineageConnection(OpenLineageOptions.Settings.of(config), context.clock());
    }
}
