package dev.switchboard.spi;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

/**
 * Reads and writes artifacts by URI. Every method streams: no implementation may hold a whole artifact in
 * memory, because model files are gigabytes.
 */
public interface ArtifactStore {

    /**
     * Whether this store serves {@code uri} (by scheme, and by the connection's configured prefix). The hub
     * asks every store and uses the one that answers {@code true}.
     */
    boolean serves(URI uri);

    /**
     * The artifact's size and the best digest the store offers without reading the bytes (SHA-256 where it
     * keeps one, else MD5 or an ETag), or empty when there is no such artifact.
     */
    Optional<ArtifactRef> stat(URI uri);

    /**
     * Opens the artifact for reading. The caller closes the stream.
     *
     * @throws ConnectorException {@link ErrorKind#CONFIGURATION} when there is no such artifact
     */
    InputStream open(URI uri);

    /**
     * Writes {@code content} to {@code uri}, computing SHA-256 while it streams, and makes the artifact visible
     * only if the digest equals {@code expected}. On a mismatch nothing is left behind at {@code uri} and a
     * {@code CONFIGURATION} error names both digests.
     *
     * @param size     the content length in bytes, or {@code -1} when unknown
     * @param expected the SHA-256 the content must have, or {@code null} to accept any content
     * @return the written artifact with its size and SHA-256 digest
     */
    ArtifactRef write(URI uri, InputStream content, long size, Digest expected);

    /**
     * Every file under {@code directory}, recursively, each with its full URI and size (digests as {@link #stat}
     * gives them), or an empty list when {@code directory} is not a directory (a model logged the usual way is a
     * directory: {@code MLmodel}, the model file, environment files). Stores that cannot list keep this default.
     */
    default java.util.List<ArtifactRef> listFiles(URI directory) {
        return java.util.List.of();
    }

    /**
     * The same artifact under a URI that names this store's server, so that another connection can reference it:
     * MLflow's server-relative {@code mlflow-artifacts:/1/…/model} becomes the tracking server's artifact proxy URL.
     * Sync jobs in {@code reference} mode use it when the source's URI would name nothing on the target. Reads
     * nothing; empty when there is no such URI without a call (the default), or {@code uri} already names its server.
     *
     * @param uri an artifact this store {@linkplain #serves serves}
     */
    default java.util.Optional<URI> absoluteUri(URI uri) {
        return java.util.Optional.empty();
    }
}
