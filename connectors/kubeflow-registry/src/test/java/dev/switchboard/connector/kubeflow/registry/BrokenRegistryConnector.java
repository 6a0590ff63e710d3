package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import java.util.List;
import java.util.Set;

/**
 * The real connector with one classic mistake in its {@code customProperties} mapping: string values are written
 * as {@code {"metadataType": "MetadataStringValue", "value": …}} (the ML Metadata proto's field name) instead of
 * {@code string_value}. Not in {@code META-INF/services}.
 */
final class BrokenRegistryConnector implements Connector {

    private final KubeflowRegistryConnector real = new KubeflowRegistryConnector();

    @Override
    public String type() {
        return real.type();
    }

    @Override
    public String version() {
        return real.version();
    }

    @Override
    public List<OptionDefinition> options() {
        return real.options();
    }

    @Override
    public Set<Capability> capabilities() {
        return real.capabilities();
    }

    @Override
    public Fidelity fidelity() {
        return real.fidelity();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return real.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        RegistryOptions.Settings settings = RegistryOptions.Settings.of(config);
        return new RegistryConnection(settings, context, new RegistryMapper(settings.connection(), "value"));
    }
}
