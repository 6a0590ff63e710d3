package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ArtifactStore}: stat, streamed read, streamed write with a SHA-256 check, and a digest
 * mismatch that is detected and leaves nothing behind.
 */
public interface ArtifactStoreSuite extends ConnectorUnderTest {

    /** The size of the artifacts the suite writes: big enough that a store cannot get away with one buffer. */
    int ARTIFACT_SIZE = 300 * 1024 + 7;

    /** A URI the store serves and may write to, unique to {@code name}. */
    URI artifactUri(String name);

    /** A URI the store must not claim to serve. */
    default URI foreignArtifactUri() {
        return URI.create("ftp://elsewhere.invalid/switchboard-kit/model.bin");
    }

    /** The artifact store port, or a skip when the connector does not claim one. */
    default ArtifactStore store() {
        assumeCapability(Capability.ARTIFACT_STORE);
        return connection().artifactStore().orElseThrow(() -> new AssertionError(
                "connector claims ARTIFACT_STORE but the connection offers no ArtifactStore"));
    }

    @Test
    default void writtenArtifactReadsBackByteForByte() throws IOException {
        ArtifactStore store = store();
        byte[] content = randomBytes(ARTIFACT_SIZE);
        URI uri = artifactUri("read-back-" + UUID.randomUUID() + ".bin");
        ArtifactRef written = store.write(uri, new ByteArrayInputStream(content), content.length, sha256(content));
        assertThat(written.size()).isEqualTo((long) content.length);
        assertThat(written.digest()).isEqualTo(sha256(content));
        try (InputStream in = store.open(uri)) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(content));
        }
    }

    @Test
    default void writeOfUnknownLengthStreamsAndReportsTheDigest() {
        ArtifactStore store = store();
        byte[] content = randomBytes(ARTIFACT_SIZE);
        URI uri = artifactUri("unknown-length-" + UUID.randomUUID() + ".bin");
        ArtifactRef written = store.write(uri, new ByteArrayInputStream(content), -1, null);
        assertThat(written.digest()).isEqualTo(sha256(content));
        assertThat(written.size()).isEqualTo((long) content.length);
    }

    @Test
    default void statReportsSizeAndAnyDigestOfAWrittenArtifact() {
        ArtifactStore store = store();
        byte[] content = randomBytes(1234);
        URI uri = artifactUri("stat-" + UUID.randomUUID() + ".bin");
        store.write(uri, new ByteArrayInputStream(content), content.length, sha256(content));
        ArtifactRef stat = store.stat(uri).orElseThrow(() -> new AssertionError("stat of a written artifact"));
        assertThat(stat.size()).isEqualTo(1234L);
        if (stat.digest() != null && stat.digest().algorithm() == Digest.Algorithm.SHA_256) {
            assertThat(stat.digest()).isEqualTo(sha256(content));
        }
    }

    @Test
    default void writeWithWrongDigestFailsAndLeavesNothingBehind() {
        ArtifactStore store = store();
        byte[] content = randomBytes(4096);
        Digest wrong = sha256("something else".getBytes());
        URI uri = artifactUri("mismatch-" + UUID.randomUUID() + ".bin");
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store.write(uri, new ByteArrayInputStream(content), content.length, wrong));
        assertThat(e).as("a write whose content does not match the expected digest").isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(wrong.value()).contains(sha256(content).value());
        assertThat(store.stat(uri)).as("artifact after a digest mismatch").isEmpty();
    }

    @Test
    default void missingArtifactStatsEmptyAndFailsToOpenAsConfiguration() {
        ArtifactStore store = store();
        URI missing = artifactUri("missing-" + UUID.randomUUID() + ".bin");
        assertThat(store.stat(missing)).isEmpty();
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store.open(missing).close());
        assertThat(e).as("opening a missing artifact").isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
    }

    @Test
    default void storeServesItsOwnUrisOnly() {
        ArtifactStore store = store();
        assertThat(store.serves(artifactUri("any.bin"))).isTrue();
        assertThat(store.serves(foreignArtifactUri())).isFalse();
    }

    /** Deterministic pseudo-random bytes, so a failure reproduces. */
    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static Digest sha256(byte[] content) {
        return Digest.sha256Of(content);
    }
}
