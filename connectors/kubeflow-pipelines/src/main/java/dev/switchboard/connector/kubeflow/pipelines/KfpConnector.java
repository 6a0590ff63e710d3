package dev.switchboard.connector.kubeflow.pipelines;

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
 * The Kubeflow Pipelines connector (API {@code v2beta1}): the action {@code run-pipeline} and
 * {@code pipeline_run.finished} events by polling. No model registry, so its fidelity is {@link Fidelity#none()}.
 */
public final class KfpConnector implements Connector {

    public static final String TYPE = "kubeflow-pipelines";

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
        return KfpOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ACTION_TARGET, Capability.EVENT_SOURCE);
    }

    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return KfpOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new KfpConnection(KfpOptions.Settings.of(config));
    }
}
