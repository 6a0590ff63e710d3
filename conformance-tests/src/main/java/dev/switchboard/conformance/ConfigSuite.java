package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.Options;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The suite every connector passes: discovery, declared capabilities and fidelity, and configuration
 * validation (good configs pass; each bad config yields every expected problem; secrets are never quoted).
 *
 * <p>Supply {@link #goodConfigs()} and {@link #badConfigs()}. A bad config should be wrong in one way each,
 * plus one config that is wrong in several ways at once, to prove that validation collects every problem
 * instead of stopping at the first.
 */
public interface ConfigSuite extends ConnectorUnderTest {

    /** Configurations the connector must accept without a single problem. At least one. */
    List<ConnectionConfig> goodConfigs();

    /** Configurations the connector must reject, each with the problems it must report. */
    List<BadConfig> badConfigs();

    @Test
    default void connectorIsDiscoveredByServiceLoader() {
        Connector expected = connector();
        List<Connector> found = ServiceLoader.load(Connector.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.getClass().equals(expected.getClass())).toList();
        assertThat(found).as("META-INF/services/%s lists %s", Connector.class.getName(),
                expected.getClass().getName()).hasSize(1);
        assertThat(found.get(0).type()).isEqualTo(expected.type());
    }

    @Test
    default void typeIsLowerCaseAndOptionNamesAreUnique() {
        Connector connector = connector();
        assertThat(connector.type()).matches("[a-z][a-z0-9-]*");
        assertThat(connector.version()).isNotBlank();
        List<String> names = connector.options().stream().map(OptionDefinition::name).toList();
        assertThat(names).doesNotHaveDuplicates();
    }

    @Test
    default void connectorDeclaresWhatTheTestClaims() {
        assertThat(connector().capabilities()).as("capabilities")
                .containsExactlyInAnyOrderElementsOf(declaredCapabilities());
        assertThat(connector().fidelity()).as("fidelity").isEqualTo(declaredFidelity());
    }

    @Test
    default void connectionOffersExactlyTheDeclaredPorts() {
        Connection connection = connection();
        Map<Capability, Optional<?>> ports = Map.of(
                Capability.MODEL_REGISTRY, connection.modelRegistry(),
                Capability.ARTIFACT_STORE, connection.artifactStore(),
                Capability.EVENT_SOURCE, connection.eventSource(),
                Capability.ACTION_TARGET, connection.actionTarget(),
                Capability.EXPERIMENT_TRACKER, connection.experimentTracker());
        assertAll(ports.entrySet().stream().map(port -> (Executable) () -> assertThat(port.getValue().isPresent())
                .as("port %s present", port.getKey()).isEqualTo(declaredCapabilities().contains(port.getKey()))));
    }

    @Test
    default void goodConfigsHaveNoProblems() {
        assertThat(goodConfigs()).as("goodConfigs()").isNotEmpty();
        assertAll(goodConfigs().stream().map(config -> (Executable) () ->
                assertThat(connector().validate(config)).as("problems of %s", config).isEmpty()));
    }

    @Test
    default void everyBadConfigReportsEveryExpectedProblem() {
        assertThat(badConfigs()).as("badConfigs()").isNotEmpty();
        assertAll(badConfigs().stream().flatMap(bad -> {
            List<ConfigProblem> problems = connector().validate(bad.config());
            assertThat(bad.expected()).as("%s: expects no problem; add one with BadConfig.expect", bad.why())
                    .isNotEmpty();
            return bad.expected().stream().map(expected -> (Executable) () -> {
                String path = bad.config().optionPath(expected.option());
                assertThat(problems).as("%s: expected a problem at %s containing \"%s\"", bad.why(), path,
                        expected.messagePart()).anySatisfy(problem -> {
                            assertThat(problem.path()).isEqualTo(path);
                            assertThat(problem.message().toLowerCase(Locale.ROOT))
                                    .contains(expected.messagePart().toLowerCase(Locale.ROOT));
                        });
            });
        }));
    }

    @Test
    default void problemsNeverQuoteSecretValues() {
        Set<String> secrets = Options.secrets(connector().options());
        assertAll(badConfigs().stream().map(BadConfig::config).flatMap(config -> {
            List<ConfigProblem> problems = connector().validate(config);
            return config.options().entrySet().stream().filter(option -> secrets.contains(option.getKey()))
                    .filter(option -> !option.getValue().isBlank())
                    .map(option -> (Executable) () -> assertThat(problems).as("problems of %s", config)
                            .allSatisfy(problem -> assertThat(problem.message()).doesNotContain(option.getValue())));
        }));
    }

    @Test
    default void secretOptionsAreMarkedSecret() {
        Map<String, OptionDefinition> byName = connector().options().stream()
                .collect(Collectors.toMap(OptionDefinition::name, Function.identity()));
        byName.values().stream()
                .filter(d -> d.name().matches(".*(token|password|secret|key).*"))
                .forEach(d -> assertThat(d.secret()).as("option %s looks like a credential", d.name()).isTrue());
    }
}
