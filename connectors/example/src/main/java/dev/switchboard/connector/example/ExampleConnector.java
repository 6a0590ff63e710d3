package dev.switchboard.connector.example;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The worked example of {@code docs/connector-guide.md}: a model registry that lives in memory, one per
 * connection, one action that routes can perform, and signed webhooks that say an alias moved. Small on purpose; it shows the shape every connector has, not a useful tool.
 */
public final class ExampleConnector implements Connector {

    static final String MAX_PAGE_SIZE = "max-page-size";
    static final String WEBHOOK_SECRET = "webhook-secret";

    private static final List<OptionDefinition> OPTIONS = List.of(
            OptionDefinition.optional(MAX_PAGE_SIZE, OptionType.INTEGER, "100",
                    "The largest page the registry hands out, as real tools cap theirs."),
            OptionDefinition.optional(WEBHOOK_SECRET, OptionType.STRING, null,
                    "The secret the tool signs webhooks with; without it every webhook is refused.").asSecret());

    @Override
    public String type() {
        return "example";
    }

    @Override
    public String version() {
        return Connector.versionOf(getClass());
    }

    @Override
    public List<OptionDefinition> options() {
        return OPTIONS;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.ACTION_TARGET, Capability.EVENT_SOURCE);
    }

    @Override
    public Fidelity fidelity() {
        return new Fidelity(EnumSet.of(Fidelity.Field.DESCRIPTION, Fidelity.Field.TAGS, Fidelity.Field.ALIASES,
                Fidelity.Field.ARTIFACT, Fidelity.Field.SOURCE_RUN, Fidelity.Field.TIMESTAMPS),
                Integer.MAX_VALUE, Integer.MAX_VALUE, "In memory: everything is lost when the hub stops.");
    }

    /** The option checks, plus a range rule the option type alone cannot express. */
    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(OPTIONS, config));
        config.string(MAX_PAGE_SIZE).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(size -> size < 1)
                .ifPresent(size -> problems.add(new ConfigProblem(config.optionPath(MAX_PAGE_SIZE),
                        "must be at least 1, was " + size)));
        return problems;
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        int maxPageSize = config.withDefaults(Options.defaults(OPTIONS)).integer(MAX_PAGE_SIZE).orElseThrow();
        ExampleModelRegistry registry = new ExampleModelRegistry(config.name(), maxPageSize, context.clock());
        ExampleActionTarget actions = new ExampleActionTarget(config.name());
        ExampleWebhooks webhooks = new ExampleWebhooks(config.name(), config.string(WEBHOOK_SECRET));
        return new Connection() {
            @Override
            public String name() {
                return config.name();
            }

            @Override
            public CheckResult check(Duration timeout) {
                return CheckResult.ok("in-memory registry is always there", Duration.ZERO);
            }

            @Override
            public Optional<ModelRegistry> modelRegistry() {
                return Optional.of(registry);
            }

            @Override
            public Optional<ActionTarget> actionTarget() {
                return Optional.of(actions);
            }

            @Override
            public Optional<EventSource> eventSource() {
                return Optional.of(webhooks);
            }
        };
    }
}
