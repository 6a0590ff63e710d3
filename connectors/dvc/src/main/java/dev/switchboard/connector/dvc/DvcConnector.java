package dev.switchboard.connector.dvc;

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
 * The DVC connector: data versions from the {@code .dvc} files and {@code dvc.lock}s of a Git repository, announced by
 * push webhooks or polling, and their bytes from DVC remotes, verified against DVC's md5.
 */
public final class DvcConnector implements Connector {

    public static final String TYPE = "dvc";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return Connector.versionOf(getClass());
    }

    @Override
    public List<OptionDefinition> options() {
        return DvcOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.EVENT_SOURCE, Capability.ARTIFACT_STORE);
    }

    /** A data versioning tool holds no model metadata. */
    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return DvcOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new DvcConnection(DvcOptions.Settings.of(config), context);
    }
}
