package dev.switchboard.connector.github;

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

/** The GitHub Actions connector: dispatch workflows, read run status, receive workflow run and job webhooks. */
public final class GitHubConnector implements Connector {

    public static final String TYPE = "github";

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
        return GitHubOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.EVENT_SOURCE, Capability.ACTION_TARGET);
    }

    /** A CI system holds no model metadata. */
    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return GitHubOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new GitHubConnection(GitHubOptions.Settings.of(config), context);
    }
}
