package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.conformance.ForwardingConnector;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;

/**
 * The real connector with one classic mistake in its {@code customProperties} mapping: string values are written
 * as {@code {"metadataType": "MetadataStringValue", "value": …}} (the ML Metadata proto's field name) instead of
 * {@code string_value}. Not in {@code META-INF/services}.
 */
final class BrokenRegistryConnector extends ForwardingConnector {

    BrokenRegistryConnector() {
        super(new KubeflowRegistryConnector());
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        RegistryOptions.Settings settings = RegistryOptions.Settings.of(config);
        return new RegistryConnection(settings, context, new RegistryMapper(settings.connection(), "value"));
    }
}
