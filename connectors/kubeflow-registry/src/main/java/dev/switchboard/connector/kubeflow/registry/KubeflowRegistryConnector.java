package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.model.Stage;
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

/** The Kubeflow Model Registry (Kubeflow Hub) connector: REST API {@code v1alpha3}. */
public final class KubeflowRegistryConnector implements Connector {

    public static final String TYPE = "kubeflow-registry";

    static final Fidelity FIDELITY = new Fidelity(EnumSet.of(
            Fidelity.Field.DESCRIPTION, Fidelity.Field.TAGS, Fidelity.Field.ALIASES, Fidelity.Field.STAGE,
            Fidelity.Field.METRICS, Fidelity.Field.PARAMS, Fidelity.Field.SOURCE_RUN, Fidelity.Field.ARTIFACT,
            Fidelity.Field.TIMESTAMPS),
            Integer.MAX_VALUE, Integer.MAX_VALUE,
            "Tags are customProperties of type MetadataStringValue under the tag's key (int, double and bool "
                    + "properties read as tags in their text form; struct and proto properties are not tags). "
                    + "Aliases are customProperties of the registered model, " + RegistryMapper.ALIAS_PREFIX
                    + "<alias> = version name. Params are " + RegistryMapper.PARAM_PREFIX + "<name> (string), "
                    + "metrics " + RegistryMapper.METRIC_PREFIX + "<name> (MetadataDoubleValue), the source run "
                    + RegistryMapper.SOURCE_RUN + " (JSON text), the artifact digest " + RegistryMapper.DIGEST
                    + " on the model artifact, the version a sync job copied " + RegistryMapper.SOURCE_REF
                    + " (its reference key); keys starting with " + RegistryMapper.RESERVED + " are not tags. "
                    + "No approval status. Of stages only NONE (state LIVE) and ARCHIVED (state ARCHIVED) are held. "
                    + "Version names are assigned by the connector (1, 2, …); the idempotency key is the version's "
                    + "externalId.", Fidelity.TagRule.ANY, EnumSet.of(Stage.NONE, Stage.ARCHIVED));

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
        return RegistryOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.EVENT_SOURCE, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity fidelity() {
        return FIDELITY;
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return RegistryOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new RegistryConnection(RegistryOptions.Settings.of(config), context);
    }
}
