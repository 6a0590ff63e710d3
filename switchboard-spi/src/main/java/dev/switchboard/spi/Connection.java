package dev.switchboard.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * One configured, open instance of a tool (the connection {@code mlflow-prod}), offering the capability ports
 * its connector declared.
 *
 * <p>Connections are shared by every route, delivery and sync job that names them, from many threads at once:
 * implementations must be thread-safe. The hub closes a connection once, at shutdown.
 *
 * <p>Each port accessor returns the same instance on every call, and returns a value exactly when the
 * connector lists the matching {@link Capability}.
 */
public interface Connection extends AutoCloseable {

    /** The connection's name from the configuration ({@code mlflow-prod}). */
    String name();

    /**
     * Probes the tool: reachable, credentials accepted, the configured objects exist. Must return within
     * {@code timeout} (report a timeout as a failed check, do not throw) and must not change anything.
     *
     * @param timeout how long the probe may take in all
     * @return the outcome, with a message fit to show a user (never a secret)
     */
    CheckResult check(Duration timeout);

    default Optional<ModelRegistry> modelRegistry() {
        return Optional.empty();
    }

    default Optional<ArtifactStore> artifactStore() {
        return Optional.empty();
    }

    default Optional<EventSource> eventSource() {
        return Optional.empty();
    }

    default Optional<ActionTarget> actionTarget() {
        return Optional.empty();
    }

    default Optional<ExperimentTracker> experimentTracker() {
        return Optional.empty();
    }

    /** Releases clients and threads. Called once; must not throw for an already-closed connection. */
    @Override
    default void close() {
    }
}
