package dev.switchboard.connector.example;

import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ModelRegistrySuite;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.Fidelity;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The example connector passes the kit: the config suite and the model registry suite it claims. */
class ExampleConformanceTest extends ConnectorHarness implements ConfigSuite, ModelRegistrySuite {

    @Override
    public Connector connector() {
        return new ExampleConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY);
    }

    @Override
    public Fidelity declaredFidelity() {
        return new ExampleConnector().fidelity();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig("example-test", "example", Map.of());
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(config(), new ConnectionConfig("example-test", "example", Map.of("max-page-size", "5")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("page size is not a number",
                        new ConnectionConfig("example-test", "example", Map.of("max-page-size", "lots")))
                        .expect("max-page-size", "whole number"),
                BadConfig.of("page size zero and a typo",
                        new ConnectionConfig("example-test", "example", Map.of("max-page-size", "0", "max-pagesize", "5")))
                        .expect("max-page-size", "at least 1")
                        .expect("max-pagesize", "not an option"));
    }
}
