package dev.switchboard.connector.s3;

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

/** The S3 connector: an artifact store for {@code s3://} URIs on AWS S3 and S3-compatible servers. */
public final class S3Connector implements Connector {

    public static final String TYPE = "s3";

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
        return S3Options.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ARTIFACT_STORE);
    }

    /** An artifact store holds no model metadata. */
    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return S3Options.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new S3Connection(S3Options.Settings.of(config));
    }
}
