package dev.switchboard.core.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Files, trees and packed trees between two stores; every file verified, the tree's digest its manifest's. */
class ArtifactCopyTest {

    private final Memory source = new Memory("src");
    private final Memory target = new Memory("dst");

    private void seedModelDirectory() {
        source.put("run/model/MLmodel", "flavors: sklearn\n");
        source.put("run/model/model.pkl", "pickle".repeat(300));
        source.put("run/model/env/conda.yaml", "name: env\n");
    }

    @Test
    void aDirectoryIsCopiedFileByFileWithItsManifestDigest() {
        seedModelDirectory();

        ArtifactCopy.Copied copied = ArtifactCopy.copy(source, URI.create("mem://src/run/model"), target,
                URI.create("mem://dst/churn/3/model"), "test");

        assertThat(copied.directory()).isTrue();
        assertThat(copied.files()).containsOnlyKeys("MLmodel", "model.pkl", "env/conda.yaml");
        assertThat(target.files).containsOnlyKeys("churn/3/model/MLmodel", "churn/3/model/model.pkl",
                "churn/3/model/env/conda.yaml");
        assertThat(copied.artifact().digest()).isEqualTo(ArtifactCopy.manifestDigest(Map.of(
                "MLmodel", sha256("flavors: sklearn\n"), "model.pkl", sha256("pickle".repeat(300)),
                "env/conda.yaml", sha256("name: env\n"))));
        assertThat(copied.artifact().size()).isEqualTo(17 + 1800 + 10);
    }

    @Test
    void aDirectoryCopiedToATarGzIsPackedDeterministicallyWithEveryFile() throws IOException {
        seedModelDirectory();

        ArtifactCopy.Copied first = ArtifactCopy.copy(source, URI.create("mem://src/run/model/"), target,
                URI.create("mem://dst/churn/3/model.tar.gz"), "test");
        byte[] archive = target.files.get("churn/3/model.tar.gz");
        target.files.clear();
        ArtifactCopy.Copied second = ArtifactCopy.copy(source, URI.create("mem://src/run/model"), target,
                URI.create("mem://dst/churn/3/model.tar.gz"), "test");

        assertThat(untar(archive)).containsExactly(Map.entry("MLmodel", "flavors: sklearn\n"),
                Map.entry("env/conda.yaml", "name: env\n"), Map.entry("model.pkl", "pickle".repeat(300)));
        assertThat(first.artifact().digest()).isEqualTo(sha256(archive)).isEqualTo(second.artifact().digest());
        assertThat(first.files()).containsOnlyKeys("MLmodel", "model.pkl", "env/conda.yaml");
    }

    @Test
    void nothingAtTheSourceIsAConfigurationErrorNamingIt() {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> ArtifactCopy.copy(source,
                URI.create("mem://src/nothing"), target, URI.create("mem://dst/x"), "test"));
        assertThat(e.getMessage()).contains("there is no artifact at mem://src/nothing");
    }

    /** Reads a ustar archive: path to content, in archive order. */
    private static Map<String, String> untar(byte[] gzipped) throws IOException {
        byte[] tar = new GZIPInputStream(new ByteArrayInputStream(gzipped)).readAllBytes();
        Map<String, String> entries = new LinkedHashMap<>();
        int at = 0;
        while (at + 512 <= tar.length && tar[at] != 0) {
            String name = new String(tar, at, 100, StandardCharsets.UTF_8).replace("\0", "");
            String prefix = new String(tar, at + 345, 155, StandardCharsets.UTF_8).replace("\0", "");
            int size = Integer.parseInt(new String(tar, at + 124, 11, StandardCharsets.US_ASCII), 8);
            entries.put(prefix.isEmpty() ? name : prefix + "/" + name,
                    new String(tar, at + 512, size, StandardCharsets.UTF_8));
            at += 512 + (size + 511) / 512 * 512;
        }
        return entries;
    }

    @Test
    void theServiceReadsTheSourceThroughTheConnectionItCameFromAndTrustsAKnownDigest() {
        source.put("run/model.bin", "weights");
        Memory sameScheme = new Memory("src");
        Map<String, ArtifactStore> byConnection = Map.of("first", sameScheme, "origin", source, "s3", target);
        ArtifactResolver resolver = new ArtifactResolver() {
            @Override
            public Optional<ArtifactStore> storeFor(URI uri) {
                return byConnection.values().stream().filter(store -> store.serves(uri)).findFirst()
                        .map(store -> store == source ? sameScheme : store);
            }

            @Override
            public Optional<ArtifactStore> storeFor(URI uri, String connection) {
                return Optional.ofNullable(connection).map(byConnection::get).filter(store -> store.serves(uri))
                        .or(() -> storeFor(uri));
            }
        };
        ArtifactCopy copy = new ArtifactCopy(resolver, "test");

        ArtifactCopy.Copied copied = copy.copy(URI.create("mem://src/run/model.bin"), sha256("weights"), "origin",
                URI.create("mem://dst/churn/1/model.bin"));

        assertThat(copied.artifact().digest()).isEqualTo(sha256("weights"));
        assertThat(target.files).containsKey("churn/1/model.bin");
        ConnectorException wrongDigest = catchThrowableOfType(ConnectorException.class, () -> copy.copy(
                URI.create("mem://src/run/model.bin"), sha256("other"), "origin", URI.create("mem://dst/x/model.bin")));
        assertThat(wrongDigest).hasMessageContaining("digest mismatch at mem://dst/x/model.bin");
        assertThat(target.files).doesNotContainKey("x/model.bin");
        assertThat(copy.refusal(URI.create("mem://src/a"), "origin", URI.create("s3://nowhere/b")))
                .contains("no configured connection serves artifacts at s3://nowhere/b (where the copy goes)");
        assertThat(copy.refusal(URI.create("gs://a/b"), "origin", URI.create("mem://dst/b")))
                .contains("no configured connection serves artifacts at gs://a/b (asked origin, where it came from, "
                        + "first)");
        ConnectorException unserved = catchThrowableOfType(ConnectorException.class, () -> copy.copy(
                URI.create("gs://a/b"), null, null, URI.create("mem://dst/b")));
        assertThat(unserved.kind()).isEqualTo(dev.switchboard.spi.ErrorKind.CONFIGURATION);
        assertThat(unserved).hasMessage("[test] no configured connection serves artifacts at gs://a/b");
    }

    private static Digest sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Digest sha256(byte[] bytes) {
        return Digest.sha256Of(bytes);
    }

    /** {@code mem://<name>/<path>}; keeps no digests (like MLflow's proxy); lists directories. */
    private static final class Memory implements ArtifactStore {

        final String name;
        final Map<String, byte[]> files = new TreeMap<>();

        Memory(String name) {
            this.name = name;
        }

        void put(String path, String content) {
            files.put(path, content.getBytes(StandardCharsets.UTF_8));
        }

        private String path(URI uri) {
            return uri.getPath().substring(1).replaceAll("/+$", "");
        }

        @Override
        public boolean serves(URI uri) {
            return "mem".equals(uri.getScheme()) && name.equals(uri.getHost());
        }

        @Override
        public Optional<ArtifactRef> stat(URI uri) {
            byte[] bytes = files.get(path(uri));
            return bytes == null ? Optional.empty() : Optional.of(new ArtifactRef(uri, (long) bytes.length, null, null));
        }

        @Override
        public InputStream open(URI uri) {
            return new ByteArrayInputStream(files.get(path(uri)));
        }

        @Override
        public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                content.transferTo(out);
                Digest actual = sha256(out.toByteArray());
                if (expected != null && !expected.equals(actual)) {
                    throw ConnectorException.configuration(name, "digest mismatch at " + uri);
                }
                files.put(path(uri), out.toByteArray());
                return new ArtifactRef(uri, (long) out.size(), actual, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<ArtifactRef> listFiles(URI directory) {
            String prefix = path(directory) + "/";
            return files.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .map(e -> new ArtifactRef(URI.create("mem://" + name + "/" + e.getKey()), (long) e.getValue().length,
                            null, null)).toList();
        }
    }
}
