package dev.switchboard.core.config;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Options the hub itself reads on every connection, beside the connector's own under
 * {@code connections.<name>.options}. The hub validates them and takes them out before the connector sees the
 * options, so a connector never has to declare them.
 */
public final class HubConnectionOptions {

    /** How often the hub polls the connection's event source; {@code off} never. */
    public static final String POLL_INTERVAL = "poll-interval";
    /** What the hub polls at when {@code poll-interval} is not set and the connection has no webhook secret. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
    /** Polls closer together than this would only load the tool; the lease heartbeat is coarser anyway. */
    public static final Duration SHORTEST_POLL_INTERVAL = Duration.ofSeconds(1);
    /**
     * The option name connectors give their webhook secret (the MLflow, GitHub and SageMaker connectors do). A
     * connection with one receives webhooks, so it is not polled unless {@code poll-interval} says so.
     */
    public static final String WEBHOOK_SECRET = "webhook-secret";
    static final String OFF = "off";

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.optional(POLL_INTERVAL, OptionType.STRING, null,
                    "How often the hub polls the connection for changes (30s, 5m), or off. Unset: every "
                            + DEFAULT_POLL_INTERVAL.toSeconds() + "s when the connection has no webhook-secret, "
                            + "else never. Only for connectors that can poll (MLflow)."));

    private HubConnectionOptions() {
    }

    /** Whether {@code option} is one of the hub's, not the connector's. */
    public static boolean isHubOption(String option) {
        return DEFINITIONS.stream().anyMatch(definition -> definition.name().equals(option));
    }

    /** {@code options} without the hub's own: what the connector validates and opens with. */
    public static Map<String, String> connectorOptions(Map<String, String> options) {
        Map<String, String> remaining = new HashMap<>(options);
        remaining.keySet().removeIf(HubConnectionOptions::isHubOption);
        return remaining;
    }

    /** Every problem with the hub's options of connection {@code name}. */
    static List<ConfigProblem> validate(String name, Map<String, String> options) {
        String value = options.get(POLL_INTERVAL);
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase(OFF)) {
            return List.of();
        }
        String path = "connections." + name + ".options." + POLL_INTERVAL;
        try {
            Duration interval = Options.parseDuration(value);
            if (interval.compareTo(SHORTEST_POLL_INTERVAL) < 0) {
                return List.of(new ConfigProblem(path, "must be at least " + SHORTEST_POLL_INTERVAL.toSeconds()
                        + "s (or off), was \"" + value + "\""));
            }
            return List.of();
        } catch (DateTimeParseException e) {
            return List.of(new ConfigProblem(path, "must be a duration such as 30s, 5m or PT1M, or off, was \""
                    + value + "\""));
        }
    }

    /**
     * How often the hub polls a connection with these (validated) options, or empty for never: {@code poll-interval}
     * when set, else {@link #DEFAULT_POLL_INTERVAL} unless a webhook secret is configured.
     */
    public static Optional<Duration> pollInterval(Map<String, String> options) {
        String value = options.get(POLL_INTERVAL);
        if (value != null && !value.isBlank()) {
            return value.trim().toLowerCase(Locale.ROOT).equals(OFF)
                    ? Optional.empty() : Optional.of(Options.parseDuration(value));
        }
        String secret = options.get(WEBHOOK_SECRET);
        return secret == null || secret.isBlank() ? Optional.of(DEFAULT_POLL_INTERVAL) : Optional.empty();
    }
}
