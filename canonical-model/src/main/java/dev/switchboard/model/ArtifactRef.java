package dev.switchboard.model;

import java.net.URI;

/**
 * Where the bytes of a model or data version live, and how to tell that a copy is complete.
 *
 * @param uri       the artifact's address ({@code s3://…}, {@code mlflow-artifacts:/…}, {@code https://…},
 *                  {@code file:…}); the hub resolves it to the connection whose artifact store serves it
 * @param size      size in bytes, or {@code null} when not known yet
 * @param digest    a content digest, or {@code null} when not known yet
 * @param mediaType a media type such as {@code application/octet-stream}, or {@code null}
 */
public record ArtifactRef(URI uri, Long size, Digest digest, String mediaType) {

    public ArtifactRef {
        Checks.requireNonNull("uri", uri);
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("uri must be absolute (with a scheme), but was " + Checks.quote(uri));
        }
        Checks.text("mediaType", mediaType);
        if (size != null) {
            Checks.requireNonNegative("size", size);
        }
    }

    public static ArtifactRef of(URI uri) {
        return new ArtifactRef(uri, null, null, null);
    }
}
