package dev.switchboard.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.StandardWebhookTestConnector;
import dev.switchboard.spi.ConfigProblem;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code poll-interval}, the option the hub reads on every connection: its default, its checks, who sees it. */
class PollIntervalOptionTest {

    private final ConfigValidator validator = new ConfigValidator(ConnectorRegistry.of(List.of(
            new StandardWebhookTestConnector(), new RecordingConnector())));

    @Test
    void withoutAWebhookSecretAConnectionIsPolledEveryMinute() {
        assertThat(HubConnectionOptions.pollInterval(Map.of("tracking-url", "http://mlflow:5000")))
                .contains(Duration.ofSeconds(60));
    }

    @Test
    void withAWebhookSecretAConnectionIsNotPolledUnlessAsked() {
        assertThat(HubConnectionOptions.pollInterval(Map.of("webhook-secret", "s3cr3t"))).isEmpty();
        assertThat(HubConnectionOptions.pollInterval(Map.of("webhook-secret", "s3cr3t", "poll-interval", "5m")))
                .contains(Duration.ofMinutes(5));
    }

    @Test
    void offTurnsPollingOff() {
        assertThat(HubConnectionOptions.pollInterval(Map.of("poll-interval", "OFF"))).isEqualTo(Optional.empty());
    }

    @Test
    void theConnectorNeverSeesTheHubsOption() {
        HubConfig.ConnectionSpec spec = new HubConfig.ConnectionSpec(StandardWebhookTestConnector.TYPE,
                Map.of("secret", "whsec_x", "poll-interval", "30s"));

        assertThat(ConfigValidator.toConnectionConfig("registry", spec).options()).containsOnlyKeys("secret");
        assertThat(validator.validate(config(spec))).isEmpty();
    }

    @Test
    void badValuesAreReportedWithTheirPathAndValue() {
        List<ConfigProblem> problems = validator.validate(new HubConfig(Map.of(
                "fast", new HubConfig.ConnectionSpec(StandardWebhookTestConnector.TYPE,
                        Map.of("secret", "whsec_x", "poll-interval", "500ms")),
                "typo", new HubConfig.ConnectionSpec(StandardWebhookTestConnector.TYPE,
                        Map.of("secret", "whsec_x", "poll-interval", "every minute")),
                "actions", new HubConfig.ConnectionSpec(RecordingConnector.TYPE,
                        Map.of("url", "http://ci:8080", "poll-interval", "1m"))), null, null));

        assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "connections.fast.options.poll-interval", "connections.typo.options.poll-interval",
                "connections.actions.options.poll-interval");
        assertThat(problems).extracting(ConfigProblem::message).anyMatch(m -> m.contains("at least 1s")
                && m.contains("\"500ms\"")).anyMatch(m -> m.contains("\"every minute\""))
                .anyMatch(m -> m.contains("has no event source to poll"));
    }

    private static HubConfig config(HubConfig.ConnectionSpec spec) {
        return new HubConfig(Map.of("registry", spec), null, null);
    }
}
