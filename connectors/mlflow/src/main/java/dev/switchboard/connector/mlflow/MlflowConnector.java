package dev.switchboard.connector.mlflow;

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

/** The MLflow connector: tracking server and model registry over REST API 2.0, MLflow 2.x and 3.x. */
public final class MlflowConnector implements Connector {

    public static final String TYPE = "mlflow";

    /** MLflow's default limit on a model-version tag value (validation.py); servers may allow more. */
    static final int MAX_TAG_VALUE_LENGTH = 5000;

    private static final Fidelity FIDELITY = new Fidelity(EnumSet.of(
            Fidelity.Field.DESCRIPTION, Fidelity.Field.TAGS, Fidelity.Field.ALIASES, Fidelity.Field.STAGE,
            Fidelity.Field.SOURCE_RUN, Fidelity.Field.ARTIFACT, Fidelity.Field.TIMESTAMPS),
            Integer.MAX_VALUE, MAX_TAG_VALUE_LENGTH,
            "MLflow has no approval status. Stages are deprecated since MLflow 2.9 but still written. Metrics and "
                    + "params are read from the source run, not stored on the version. The idempotency key is the "
                    + "version tag " + MlflowMapper.IDEMPOTENCY_TAG + ".");

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
        return MlflowOptions.DEFINITIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.ARTIFACT_STORE, Capability.EVENT_SOURCE,
                Capability.EXPERIMENT_TRACKER, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity fidelity() {
        return FIDELITY;
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        return MlflowOptions.validate(config);
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw ConnectorException.configuration(config.name(), "invalid configuration: " + problems);
        }
        return new MlflowConnection(MlflowOptions.Settings.of(config), context);
    }
}
