package dev.switchboard.connector.sagemaker;

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

/** The SageMaker connector: Model Registry over the AWS SDK v2, EventBridge state-change events, actions. */
public final class SageMakerConnector implements Connector {

    public static final String TYPE = "sagemaker";

    private static final Fidelity FIDELITY = new Fidelity(EnumSet.of(Fidelity.Field.TAGS, Fidelity.Field.APPROVAL,
            Fidelity.Field.METRICS, Fidelity.Field.ARTIFACT, Fidelity.Field.TIMESTAMPS),
            SageMakerMapper.MAX_PROPERTIES - 1, SageMakerMapper.MAX_VALUE_LENGTH,
            "Approval (Approved, Rejected, PendingManualApproval) is native. SageMaker has no aliases and no stages: "
                    + "register-model-version records the alias it was triggered by as the metadata property "
                    + SageMakerMapper.ALIAS_PREFIX + "<alias>, stages are not carried. Version tags and metrics share "
                    + "CustomerMetadataProperties (at most 50 entries, values of 1-256 characters; metrics as "
                    + SageMakerMapper.METRIC_PREFIX + "<name>; one entry is the hub's "
                    + SageMakerMapper.KEY_PROPERTY + "). Model tags are AWS tags on the group. Descriptions are set "
                    + "at create and cannot be changed. Params and the source run are not carried.",
            SageMakerMapper::rejectsTag);

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
        return SageMakerOptions.DEFINITIONS;
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
        return SageMakerOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new SageMakerConnection(SageMakerOptions.Settings.of(config), context);
    }
}
