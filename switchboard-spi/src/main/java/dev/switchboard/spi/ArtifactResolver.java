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
}
