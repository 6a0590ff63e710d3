package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ArtifactCopy;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ConnectorException;
import java.net.URI;
import java.util.Optional;

/**
 * Decides where a target version's artifact lives and, for {@code copy} jobs, streams the bytes between the stores
 * the {@link ArtifactResolver} finds, verified by SHA-256 before the target version is created.
 */
final class ArtifactCopier {

    private final ArtifactResolver resolver;
    private final ArtifactCopy copy;

    ArtifactCopier(ArtifactResolver resolver) {
        this.resolver = resolver;
        this.copy = new ArtifactCopy(resolver, "sync");
    }

    /**
     * {@code artifact} under a URI that names its server (see {@link dev.switchboard.spi.ArtifactStore#absoluteUri}),
     * for referencing it from another connection; empty when its store knows none. Reads nothing.
     */
    Optional<ArtifactRef> absolute(ArtifactRef artifact, String sourceConnection) {
        return resolver.storeFor(artifact.uri(), sourceConnection).flatMap(store -> store.absoluteUri(artifact.uri()))
                .map(uri -> new ArtifactRef(uri, artifact.size(), artifact.digest(), artifact.mediaType()));
    }

    /** The artifact the target version should carry: the source's, or where the copy goes. Reads nothing. */
    ArtifactRef targetArtifact(SyncJobSpec job, ModelVersion source) {
        ArtifactRef artifact = source.artifact();
        if (artifact == null || job.artifacts().mode() == SyncJobSpec.ArtifactPolicy.Mode.REFERENCE) {
            return artifact;
        }
        String prefix = job.artifacts().copyTo().toString().replaceAll("/+$", "");
        URI destination = URI.create(prefix + "/" + segment(job.name()) + "/" + segment(source.modelName()) + "/"
                + segment(source.version()) + "/" + segment(fileName(artifact.uri())));
        return new ArtifactRef(destination, artifact.size(), artifact.digest(), artifact.mediaType());
    }

    /**
     * Whether the target artifact is a copy that {@link #copy} must make (in {@code reference} mode it may still
     * differ from the source's: the same artifact under its server's absolute URI).
     */
    static boolean needsCopy(SyncJobSpec job, ModelVersion source, ArtifactRef target) {
        return job.artifacts().mode() == SyncJobSpec.ArtifactPolicy.Mode.COPY && target != null
                && source.artifact() != null && !target.uri().equals(source.artifact().uri());
    }

    /**
     * Copies {@code source} to {@code target.uri()} with the hub's one verified copy ({@link ArtifactCopy}) and returns
     * the written artifact: a file, or a directory copied as a tree (a digest per file, the manifest digest as the
     * artifact's). A copy that is already there with the expected digest (from a run that crashed after copying) is
     * not copied again.
     *
     * @param sourceConnection the connection the version came from: its store reads {@code source} (a
     *                         {@code runs:/} or {@code mlflow-artifacts:/} URI means that server)
     * @throws ConnectorException when a store is missing or the bytes do not match the source's digest; nothing is
     *                            left at the destination then (the store's {@code write} guarantees it)
     */
    ArtifactRef copy(ArtifactRef source, ArtifactRef target, String sourceConnection) {
        return copy.copy(source.uri(), source.digest(), sourceConnection, target.uri()).artifact();
    }

    /** Why {@link #copy} would fail for want of a store, or empty: what a plan predicts without reading. */
    Optional<String> refusesCopy(ArtifactRef source, ArtifactRef target, String sourceConnection) {
        return copy.refusal(source.uri(), sourceConnection, target.uri());
    }

    private static String fileName(URI uri) {
        String path = uri.getPath() != null ? uri.getPath() : uri.getSchemeSpecificPart();
        String[] parts = path == null ? new String[0] : path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isBlank()) {
                return parts[i];
            }
        }
        return "artifact";
    }

    private static String segment(String text) {
        return text.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
