package dev.switchboard.spi;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration of one connection: its name, connector type and option values, with {@code ${ENV}}
 * references already resolved. Immutable.
 *
 * <p>{@link #toString()} lists option names only, never values, so a config can be logged safely.
 * Typed accessors parse with the same rules {@link Options#validate} checks, so after validation they do
 * not fail.
 *
 * @param name    the connection's name ({@code mlflow-prod})
 * @param type    the connector type ({@code mlflow})
 * @param options option values by option name (absent when not given)
 */
public record ConnectionConfig(String name, String type, Map<String, String> options) {

    public ConnectionConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("connection name must not be blank");
        }
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** The path prefix of this connection's options in {@code switchboard.yaml}, for {@link ConfigProblem}s. */
    public String optionPath(String option) {
        return "connections." + name + ".options." + option;
    }

    public Optional<String> string(String option) {
        return Optional.ofNullable(options.get(option)).filter(v -> !v.isBlank());
    }

    /** The value of a required option; fails with the option's path if it is absent. */
    public String require(String option) {
        return string(option).orElseThrow(() -> ConnectorException.configuration(name,
                "option " + option + " is required (" + optionPath(option) + ")"));
    }

    public Optional<URI> url(String option) {
        return string(option).map(URI::create);
    }

    public Optional<Integer> integer(String option) {
        return string(option).map(v -> Integer.parseInt(v.trim()));
    }

    public Optional<Boolean> bool(String option) {
        return string(option).map(v -> Boolean.parseBoolean(v.trim()));
    }

    public Optional<Duration> duration(String option) {
        return string(option).map(Options::parseDuration);
    }

    /** This config with {@code defaults} filled in for absent options. */
    public ConnectionConfig withDefaults(Map<String, String> defaults) {
        var merged = new java.util.HashMap<>(defaults);
        merged.putAll(options);
        return new ConnectionConfig(name, type, merged);
    }

    @Override
    public String toString() {
        return "ConnectionConfig[name=" + name + ", type=" + type + ", options=" + options.keySet() + "]";
    }
}
