package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.Digest;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hub's copy-artifact action between two in-memory stores, one of which keeps no digests. */
class HubActionsTest {

    private static final byte[] CONTENT = "model bytes".getBytes(StandardCharsets.UTF_8);

    private ConnectionRegistry connections;
    private DirectActionDispatcher dispatcher;

    @BeforeEach
    void open() {
        MemoryStores.reset();
        MemoryStores.put(URI.create("mem://src/churn/model.bin"), CONTENT);
        HubConfig config = new HubConfig(Map.of("src", new HubConfig.ConnectionSpec("memory", Map.of()),
                "dst", new HubConfig.ConnectionSpec("memory", Map.of())), null, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.of(List.of(new MemoryStores())), Clock.systemUTC());
        dispatcher = new DirectActionDispatcher(connections);
    }

    @AfterEach
    void close() {
        connections.close();
    }

    /** Values a route (or an event, through an expression) can give that address nothing: never retried. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "to   | mem://dst/a b.bin         | Illegal character",
            "to   | relative/path/model.bin   | must be absolute",
            "to   | ://no-scheme              | Expected scheme name",
            "to   | s3://bucket/%zz           | Malformed escape pair",
            "from | mem://src/churn/m{1}.bin  | Illegal character",
            "from | churn/model.bin           | must be absolute"})
    void aParameterThatIsNotAnAbsoluteUriIsAConfigurationErrorNamingIt(String parameter, String value, String why) {
        Map<String, String> parameters = new java.util.HashMap<>(Map.of("to", "mem://dst/churn/3/model.bin",
                "from", "mem://src/churn/model.bin"));
        parameters.put(parameter, value);

        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> dispatcher.dispatch(new ActionCall(
                "hub", "copy-artifact", parameters, null, null, "route", "k-" + parameter + value.hashCode())));

        assertThat(e).as("classified, not a stray exception").isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("copy-artifact").contains("parameter " + parameter).contains(why);
        assertThat(MemoryStores.get(URI.create("mem://dst/churn/3/model.bin"))).isNull();
    }

    private ActionTarget.Result copy(String key) {
        ModelVersion version = new ModelVersion(ResourceRef.of("memory", "src", "model_version", "churn/3"), "churn", "3",
                null, null, ArtifactRef.of(URI.create("mem://src/churn/model.bin")), Set.of(), null, null, Map.of(),
                Map.of(), Map.of(), null, null);
        CanonicalEvent event = new CanonicalEvent("e-1", CanonicalEvent.sourceOf("src"), EventType.MODEL_VERSION_CREATED,
                "models/churn/versions/3", Instant.now(), version);
        return dispatcher.dispatch(new ActionCall("hub", "copy-artifact", Map.of("to", "mem://dst/churn/3/model.bin"),
                event, null, "route", key));
    }

    @Test
    void copyFromAStoreWithoutDigestsIsWrittenWithTheComputedSha256() throws Exception {
        ActionTarget.Result result = copy("k1");

        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT));
        assertThat(result.outputs()).containsEntry("uri", "mem://dst/churn/3/model.bin").containsEntry("sha256", sha256)
                .containsEntry("size", String.valueOf(CONTENT.length));
        assertThat(MemoryStores.get(URI.create("mem://dst/churn/3/model.bin"))).isEqualTo(CONTENT);
        assertThat(MemoryStores.LAST_EXPECTED.get()).isEqualTo(Digest.sha256(sha256));
    }

    @Test
    void targetThatHoldsTheSameContentIsNotWrittenAgain() {
        copy("k1");
        copy("k2");
        assertThat(MemoryStores.WRITES.get()).isEqualTo(1);
    }

    @Test
    void sourceThatChangesBetweenReadsFailsAndLeavesNothing() {
        MemoryStores.CHANGE_ON_SECOND_OPEN.set(true);
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> copy("k1"));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(MemoryStores.get(URI.create("mem://dst/churn/3/model.bin"))).isNull();
    }

    @Test
    void uriThatNoConnectionServesIsAConfigurationError() {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> dispatcher.dispatch(new ActionCall(
                "hub", "copy-artifact", Map.of("to", "s3://nowhere/x", "from", "mem://src/churn/model.bin"),
                null, null, "route", "k")));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
    }

    /**
     * Connector type {@code memory}: artifacts {@code mem://<connection>/<path>} in one static map. Keeps no digests
     * (like MLflow's proxy); a write with an expected SHA-256 that does not match stores nothing.
     */
    static final class MemoryStores implements Connector {

        static final Map<URI, byte[]> OBJECTS = new ConcurrentHashMap<>();
        static final AtomicInteger WRITES = new AtomicInteger();
        static final AtomicReference<Digest> LAST_EXPECTED = new AtomicReference<>();
        static final AtomicBoolean CHANGE_ON_SECOND_OPEN = new AtomicBoolean();
        private static final AtomicInteger OPENS = new AtomicInteger();

        static void reset() {
            OBJECTS.clear();
            WRITES.set(0);
            LAST_EXPECTED.set(null);
            CHANGE_ON_SECOND_OPEN.set(false);
            OPENS.set(0);
        }

        static void put(URI uri, byte[] content) {
            OBJECTS.put(uri, content);
        }

        static byte[] get(URI uri) {
            return OBJECTS.get(uri);
        }

        @Override
        public String type() {
            return "memory";
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        public List<OptionDefinition> options() {
            return List.of();
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.ARTIFACT_STORE);
        }

        @Override
        public Fidelity fidelity() {
            return Fidelity.none();
        }

        @Override
        public Connection open(ConnectionConfig config, ConnectorContext context) {
            ArtifactStore store = new ArtifactStore() {
                @Override
                public boolean serves(URI uri) {
                    return "mem".equals(uri.getScheme()) && config.name().equals(uri.getHost());
                }

                @Override
                public Optional<ArtifactRef> stat(URI uri) {
                    byte[] content = OBJECTS.get(uri);
                    return content == null ? Optional.empty()
                            : Optional.of(new ArtifactRef(uri, (long) content.length, digestOf(content), null));
                }

                private Digest digestOf(byte[] content) {
                    return config.name().equals("src") ? null : sha256(content);
                }

                @Override
                public InputStream open(URI uri) {
                    byte[] content = OBJECTS.get(uri);
                    if (OPENS.incrementAndGet() == 2 && CHANGE_ON_SECOND_OPEN.get()) {
                        content = "changed!!!!".getBytes(StandardCharsets.UTF_8);
                    }
                    return new ByteArrayInputStream(content);
                }

                @Override
                public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
                    try {
                        byte[] bytes = content.readAllBytes();
                        LAST_EXPECTED.set(expected);
                        if (expected != null && !expected.equals(sha256(bytes))) {
                            throw ConnectorException.configuration(config.name(), "digest mismatch");
                        }
                        WRITES.incrementAndGet();
                        OBJECTS.put(uri, bytes);
                        return new ArtifactRef(uri, (long) bytes.length, sha256(bytes), null);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            return new Connection() {
                @Override
                public String name() {
                    return config.name();
                }

                @Override
                public CheckResult check(Duration timeout) {
                    return CheckResult.ok("memory", Duration.ZERO);
                }

                @Override
                public Optional<ArtifactStore> artifactStore() {
                    return Optional.of(store);
                }
            };
        }

        private static Digest sha256(byte[] bytes) {
            try {
                return Digest.sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
