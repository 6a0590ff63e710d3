package dev.switchboard.core.testing;

import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test connector (type {@code in-memory-registry}) whose connections are an {@link InMemoryRegistry}: a model
 * registry and artifact store kept in memory, per connection name, so a test can seed a source, count the calls a
 * sync makes, inject failures, and "restart" the hub (open the connections again) against the same state.
 *
 * <p>The registered instance holds every field without limits. For a target that holds less, build one with
 * {@link #withFidelity} under another type name and list it in {@code ConnectorRegistry.of(...)}.
 */
public class InMemoryRegistryConnector implements Connector {

    public static final String TYPE = "in-memory-registry";

    /** What a SageMaker model package group holds: no aliases or stages, at most 50 tags of 256 characters. */
    public static final Fidelity SAGEMAKER_LIKE = new Fidelity(EnumSet.complementOf(
            EnumSet.of(Fidelity.Field.ALIASES, Fidelity.Field.STAGE)), 50, 256,
            "aliases and stages have no native home; approval is the model package's approval status");

    private static final Map<String, InMemoryRegistry> REGISTRIES = new ConcurrentHashMap<>();

    private final String type;
    private final Fidelity fidelity;

    public InMemoryRegistryConnector() {
        this(TYPE, Fidelity.full());
    }

    private InMemoryRegistryConnector(String type, Fidelity fidelity) {
        this.type = type;
        this.fidelity = fidelity;
    }

    /** A connector of another type name whose connections hold only what {@code fidelity} says. */
    public static InMemoryRegistryConnector withFidelity(String type, Fidelity fidelity) {
        return new InMemoryRegistryConnector(type, fidelity);
    }

    /** The registry behind connection {@code name} (made on first use, kept until {@link #reset}). */
    public static InMemoryRegistry registry(String name) {
        return REGISTRIES.computeIfAbsent(name, n -> new InMemoryRegistry(n, Fidelity.full(), 100));
    }

    /** Forgets every registry. */
    public static void reset() {
        REGISTRIES.clear();
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public List<OptionDefinition> options() {
        return List.of(OptionDefinition.optional("page-size", OptionType.INTEGER, "100",
                        "The largest page a listing returns, whatever the caller asks for."),
                OptionDefinition.optional("journal", OptionType.STRING, null,
                        "A file that keeps the registry's state across processes (loaded at open, saved on each write)."),
                OptionDefinition.optional("write-delay", OptionType.DURATION, null,
                        "How long each write takes at least, so a test can kill a process mid-run."));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.MODEL_REGISTRY, Capability.ARTIFACT_STORE);
    }

    @Override
    public Fidelity fidelity() {
        return fidelity;
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        InMemoryRegistry registry = REGISTRIES.compute(config.name(), (name, existing) -> existing != null
                ? existing.reconfigure(fidelity, config.integer("page-size").orElse(100))
                : new InMemoryRegistry(name, fidelity, config.integer("page-size").orElse(100)));
        config.string("journal").map(java.nio.file.Path::of).ifPresent(registry::journalTo);
        config.duration("write-delay").ifPresent(delay -> registry.slowWrites(delay.toMillis()));
        return new Connection() {
            @Override
            public String name() {
                return config.name();
            }

            @Override
            public CheckResult check(Duration timeout) {
                return CheckResult.ok("in memory", Duration.ZERO);
            }

            @Override
            public Optional<ModelRegistry> modelRegistry() {
                return Optional.of(registry);
            }

            @Override
            public Optional<ArtifactStore> artifactStore() {
                return Optional.of(registry);
            }
        };
    }
}
