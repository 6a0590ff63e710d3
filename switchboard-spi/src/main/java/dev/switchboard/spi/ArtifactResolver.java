package dev.switchboard.spi;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Optional;

/** Finds the artifact store that serves a URI, by scheme and configured prefix. Provided by the hub. */
@FunctionalInterface
public interface ArtifactResolver {

    /** A resolver that serves nothing. */
    ArtifactResolver NONE = uri -> Optional.empty();

    /**
     * @param uri an artifact address ({@code s3://bucket/key}, {@code mlflow-artifacts:/…})
     * @return the store of the connection that serves it, or empty when no configured connection does
     */
    Optional<ArtifactStore> storeFor(URI uri);

    /**
     * The store of {@code connection} when it serves {@code uri}, else {@link #storeFor(URI)}. A URI such as
     * {@code runs:/…} or {@code mlflow-artifacts:/…} is relative to the server it came from: an artifact is read
     * through the connection of the event or version that named it, not through the first connection that could
     * serve the scheme.
     *
     * @param connection the connection the URI came from, or {@code null} when unknown
     */
    default Optional<ArtifactStore> storeFor(URI uri, String connection) {
        return storeFor(uri);
    }

    /**
     * {@code artifact} with its SHA-256, for an action that registers an artifact it only references (a registry
     * version pointing at {@code s3://…}): when a configured store serves the URI, the digest is the store's own, or
     * computed by streaming the artifact once when the store keeps none, and it must equal {@code expectedSha256}
     * when one is given. When no store serves the URI, the artifact carries {@code expectedSha256} (or its own
     * digest) unverified.
     *
     * @param expectedSha256 the hex SHA-256 the artifact must have, or {@code null}
     * @param connection     the connection asking, named in errors
     * @throws ConnectorException {@link ErrorKind#CONFIGURATION} when there is nothing at the URI or the digest
     *                            differs; {@link ErrorKind#TRANSIENT} when reading the bytes fails midway
     */
    default ArtifactRef withSha256(ArtifactRef artifact, String expectedSha256, String connection) {
        Optional<Digest> expected = Optional.ofNullable(expectedSha256).filter(hex -> !hex.isBlank())
                .map(Digest::sha256);
        Optional<ArtifactStore> store = storeFor(artifact.uri());
        if (store.isEmpty()) {
            return new ArtifactRef(artifact.uri(), artifact.size(), expected.orElse(artifact.digest()),
                    artifact.mediaType());
        }
        ArtifactRef stat = store.get().stat(artifact.uri()).orElseThrow(() -> ConnectorException.configuration(
                connection, "there is no artifact at " + artifact.uri()));
        Digest sha256 = stat.digest() != null && stat.digest().algorithm() == Digest.Algorithm.SHA_256
                ? stat.digest() : streamedSha256(store.get(), artifact.uri(), connection);
        if (expected.isPresent() && !expected.get().equals(sha256)) {
            throw ConnectorException.configuration(connection, "the artifact at " + artifact.uri() + " has SHA-256 "
                    + sha256.value() + ", not the expected " + expected.get().value());
        }
        return new ArtifactRef(artifact.uri(), stat.size(), sha256, stat.mediaType());
    }

    private static Digest streamedSha256(ArtifactStore store, URI uri, String connection) {
        MessageDigest sha256 = Digest.sha256Hasher();
        try (InputStream in = new DigestInputStream(store.open(uri), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw ConnectorException.transientFailure(connection, "reading " + uri + " failed: " + e.getMessage(), e);
        }
        return Digest.sha256(sha256);
    }
}
