package dev.switchboard.spi;

import java.net.URI;
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
}
