package dev.switchboard.core.config;

import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.OptionDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a whole {@link HubConfig} and returns every problem at once: a user fixing a file wants them all in one
 * go, not one per restart. Messages quote bad values except those of secret options.
 */
public final class ConfigValidator {

    private static final Pattern CONNECTION_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");

    private final ConnectorRegistry connectors;

    public ConfigValidator(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    public List<ConfigProblem> validate(HubConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        config.connections().forEach((name, spec) -> problems.addAll(validateConnection(name, spec)));
        problems.addAll(validateRouteDirectory(config.routeDirectory()));
        problems.addAll(new SyncJobValidator(connectors).validate(config));
        if (config.webhooks().maxBodyBytes() < 1) {
            problems.add(new ConfigProblem("webhooks.max-body-bytes",
                    "must be at least 1, was " + config.webhooks().maxBodyBytes()));
        }
        if (config.webhooks().timestampSkewSeconds() < 1) {
            problems.add(new ConfigProblem("webhooks.timestamp-skew-seconds",
                    "must be at least 1, was " + config.webhooks().timestampSkewSeconds()));
        }
        Duration bodyTimeout = config.webhooks().bodyTimeout();
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            problems.add(new ConfigProblem("webhooks.body-timeout",
                    "must be a positive duration such as 10s, was "
                            + (bodyTimeout == null ? "empty" : bodyTimeout.toMillis() + "ms")));
        }
        return problems;
    }

    /** Validates and throws {@link InvalidConfigurationException} listing every problem, if there is one. */
    public void requireValid(HubConfig config) {
        List<ConfigProblem> problems = validate(config);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }

    private List<ConfigProblem> validateConnection(String name, HubConfig.ConnectionSpec spec) {
        List<ConfigProblem> problems = new ArrayList<>();
        String path = "connections." + name;
        if (!CONNECTION_NAME.matcher(name).matches()) {
            problems.add(new ConfigProblem(path, "connection names must be lower-case letters, digits and dashes "
                    + "(at most 64), was \"" + name + "\""));
        }
        if (HubConfig.HUB_CONNECTION.equals(name)) {
            problems.add(new ConfigProblem(path, "\"" + name + "\" is reserved for the hub's own actions "
                    + "(switchboard:hub/copy-artifact); choose another connection name"));
        }
        if (spec.type() == null || spec.type().isBlank()) {
            problems.add(new ConfigProblem(path + ".type", "is required; known types: " + known()));
            return problems;
        }
        Optional<Connector> connector = connectors.find(spec.type());
        if (connector.isEmpty()) {
            problems.add(new ConfigProblem(path + ".type",
                    "unknown connector type \"" + spec.type() + "\"; known types: " + known()));
            return problems;
        }
        List<String> secrets = connector.get().options().stream()
                .filter(OptionDefinition::secret).map(OptionDefinition::name).toList();
        spec.options().forEach((option, value) -> {
            var unresolved = UNRESOLVED.matcher(value == null ? "" : value);
            if (unresolved.find()) {
                problems.add(new ConfigProblem(path + ".options." + option, "refers to ${" + unresolved.group(1)
                        + "}, which is not set (set the environment variable or property)"));
            }
        });
        problems.addAll(HubConnectionOptions.validate(name, spec.options()));
        if (spec.options().containsKey(HubConnectionOptions.POLL_INTERVAL)
                && !connector.get().capabilities().contains(Capability.EVENT_SOURCE)) {
            problems.add(new ConfigProblem(path + ".options." + HubConnectionOptions.POLL_INTERVAL,
                    "connector type " + spec.type() + " has no event source to poll; remove the option"));
        }
        if (problems.isEmpty()) {
            ConnectionConfig connectionConfig = toConnectionConfig(name, spec);
            for (ConfigProblem problem : connector.get().validate(connectionConfig)) {
                problems.add(redact(problem, spec.options(), secrets));
            }
        }
        return problems;
    }

    /**
     * The connection's config as connectors see it: the given options without the hub's own
     * ({@link HubConnectionOptions}); defaults are applied at open.
     */
    public static ConnectionConfig toConnectionConfig(String name, HubConfig.ConnectionSpec spec) {
        return new ConnectionConfig(name, spec.type(), HubConnectionOptions.connectorOptions(spec.options()));
    }

    /** A connector might quote a secret in its own message: replace any secret value that appears. */
    private static ConfigProblem redact(ConfigProblem problem, Map<String, String> options, List<String> secrets) {
        String message = problem.message();
        for (String secret : secrets) {
            String value = options.get(secret);
            if (value != null && !value.isBlank()) {
                message = message.replace(value, "****");
            }
        }
        return new ConfigProblem(problem.path(), message);
    }

    private static List<ConfigProblem> validateRouteDirectory(Path directory) {
        if (directory == null) {
            return List.of();
        }
        if (!Files.exists(directory)) {
            return List.of(new ConfigProblem("routes.directory", "does not exist: \"" + directory.toAbsolutePath() + "\""));
        }
        if (!Files.isDirectory(directory)) {
            return List.of(new ConfigProblem("routes.directory", "is not a directory: \"" + directory.toAbsolutePath() + "\""));
        }
        if (!Files.isReadable(directory)) {
            return List.of(new ConfigProblem("routes.directory", "is not readable: \"" + directory.toAbsolutePath() + "\""));
        }
        return List.of();
    }

    private String known() {
        return connectors.types().isEmpty() ? "(none on the class path)" : String.join(", ", connectors.types());
    }
}
