package dev.switchboard.spi;

import java.time.Clock;

/**
 * What the hub offers a connection when it opens it. Kept small on purpose: a connector reaches other tools'
 * artifacts only through {@link #artifacts()}, never by depending on another connector.
 *
 * @param clock     the hub's clock; use it for timestamps and signature windows so tests can move time
 * @param artifacts resolves artifact URIs to the connection whose {@link ArtifactStore} serves them
 */
public record ConnectorContext(Clock clock, ArtifactResolver artifacts) {

    public ConnectorContext {
        if (clock == null || artifacts == null) {
            throw new IllegalArgumentException("clock and artifacts must not be null");
        }
    }

    /** A context for tests and tools that need no artifact resolution. */
    public static ConnectorContext standalone() {
        return new ConnectorContext(Clock.systemUTC(), ArtifactResolver.NONE);
    }
}
