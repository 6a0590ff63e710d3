package dev.switchboard.conformance;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ExperimentTracker;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.OptionDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A connector that does what another one does, for the broken-connector harness ({@link SuiteRun}): override the
 * one thing to break, usually {@link #open} returning a {@link ForwardingConnection} with one port changed.
 */
public class ForwardingConnector implements Connector {

    private final Connector real;

    public ForwardingConnector(Connector real) {
        this.real = real;
    }

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
        return real.open(config, context);
    }

    /** A connection that does what another one does; override the port to break. */
    public static class ForwardingConnection implements Connection {

        private final Connection real;

        public ForwardingConnection(Connection real) {
            this.real = real;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public CheckResult check(Duration timeout) {
            return real.check(timeout);
        }

        @Override
        public Optional<ModelRegistry> modelRegistry() {
            return real.modelRegistry();
        }

        @Override
        public Optional<ArtifactStore> artifactStore() {
            return real.artifactStore();
        }

        @Override
        public Optional<EventSource> eventSource() {
            return real.eventSource();
        }

        @Override
        public Optional<ActionTarget> actionTarget() {
            return real.actionTarget();
        }

        @Override
        public Optional<ExperimentTracker> experimentTracker() {
            return real.experimentTracker();
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
