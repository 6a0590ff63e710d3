package dev.switchboard.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.Fidelity;
import java.util.Set;

/**
 * The connector a conformance test class puts through the kit's suites, and what the class claims about it.
 *
 * <p>Every suite of the kit extends this interface, so a test class that implements several suites supplies
 * these methods once. Most test classes extend {@link ConnectorHarness}, which implements the connection
 * lifecycle; they then supply only {@link #connector()}, the claims and a configuration.
 *
 * <p>Suites only run tests for what the class claims: a test of a capability that is not in
 * {@link #declaredCapabilities()}, or of a field that is not in {@link #declaredFidelity()}, is <em>skipped
 * with a stated reason</em> (a JUnit assumption), never silently passed. The
 * {@link ConfigSuite} checks that the claims match what the connector itself declares.
 */
public interface ConnectorUnderTest {

    /** A new instance of the connector under test, as {@link java.util.ServiceLoader} would create it. */
    Connector connector();

    /**
     * The capabilities the test class claims the connector offers; the suites test exactly these. Usually the
     * same set {@link Connector#capabilities()} returns, written out so that a change there fails a test.
     */
    Set<Capability> declaredCapabilities();

    /** The fidelity the test class claims; suites skip tests of fields it does not support. */
    Fidelity declaredFidelity();

    /**
     * The open connection the current test uses. Must return the same instance within one test, and a
     * connection to a fresh (or at least test-private) tool state for each test.
     */
    Connection connection();

    /**
     * Closes the current connection and opens a new one from the same configuration, as the hub does after a
     * restart; the state of the tool itself is kept.
     *
     * @return the new connection, which {@link #connection()} returns from now on
     */
    Connection reopenConnection();

    /**
     * The configuration {@link #connection()} is opened from; suites derive variants of it (no webhook secret,
     * another URL). {@link ConnectorHarness} supplies it; other implementations override it.
     */
    default ConnectionConfig connectionConfig() {
        throw new UnsupportedOperationException("override connectionConfig(), or extend ConnectorHarness");
    }

    /** The context {@link #connection()} is opened with; {@link ConnectorHarness} supplies it. */
    default ConnectorContext connectionContext() {
        return ConnectorContext.standalone();
    }

    /**
     * Skips the calling test, with a reason, unless {@code capability} is claimed.
     *
     * @throws org.opentest4j.TestAbortedException when the capability is not claimed
     */
    default void assumeCapability(Capability capability) {
        assumeTrue(declaredCapabilities().contains(capability),
                () -> "connector " + connector().type() + " does not declare " + capability);
    }

    /** Skips the calling test, with a reason, unless the claimed fidelity supports {@code field}. */
    default void assumeFidelity(Fidelity.Field field) {
        assumeTrue(declaredFidelity().supports(field),
                () -> "connector " + connector().type() + " does not hold " + field + " (fidelity)");
    }
}
