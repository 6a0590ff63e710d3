package dev.switchboard.conformance;

import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A base class for conformance test classes: opens the connection lazily from {@link #config()} on first use in
 * a test, and closes it after the test. Extend it and implement the suites the connector claims:
 *
 * <pre>{@code
 * class AcmeConformanceTest extends ConnectorHarness implements ConfigSuite, ModelRegistrySuite {
 *     public Connector connector() { return new AcmeConnector(); }
 *     public Set<Capability> declaredCapabilities() { return EnumSet.of(Capability.MODEL_REGISTRY); }
 *     public Fidelity declaredFidelity() { return connector().fidelity(); }
 *     protected ConnectionConfig config() { return new ConnectionConfig("acme-test", "acme", Map.of(...)); }
 *     // ... the fixtures the suites ask for
 * }
 * }</pre>
 *
 * <p>JUnit creates one instance per test method, so each test gets its own connection.
 */
public abstract class ConnectorHarness implements ConnectorUnderTest {

    private Connection connection;

    /** Fails the class with a clear message under JUnit 5 (see {@link JUnitRequirement}). */
    @BeforeAll
    static void requireJUnit6() {
        JUnitRequirement.check();
    }

    /** A valid configuration of a connection to the tool (or its fake) the suites run against. */
    protected abstract ConnectionConfig config();

    /** The context the connection is opened with; override to supply a test clock or an artifact resolver. */
    protected ConnectorContext context() {
        return ConnectorContext.standalone();
    }

    @Override
    public final ConnectionConfig connectionConfig() {
        return config();
    }

    @Override
    public final ConnectorContext connectionContext() {
        return context();
    }

    @Override
    public final Connection connection() {
        if (connection == null) {
            connection = connector().open(config(), context());
        }
        return connection;
    }

    @Override
    public final Connection reopenConnection() {
        closeConnection();
        return connection();
    }

    @AfterEach
    protected final void closeConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
