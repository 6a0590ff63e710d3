package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decides where a target version's artifact lives and, for {@code copy} jobs, streams the bytes between the stores
 * the {@link ArtifactResolver} finds, verified by SHA-256 before the target version is created.
 */
final class ArtifactCopier {

    private final ArtifactResolver resolver;

    ArtifactCopier(ArtifactResolver resolver) {
        this.resolver = resolver;
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

    /** Whether the target artifact is a copy that {@link #copy} must make. */
    static boolean needsCopy(ModelVersion source, ArtifactRef target) {
        return target != null && source.artifact() != null && !target.uri().equals(source.artifact().uri());
    }

    /**
     * Copies {@code source} to {@code target.uri()}, streaming, and returns the written artifact. A copy that is
     * already there with the expected digest (from a run that crashed after copying) is not copied again.
     *
     * @throws ConnectorException when a store is missing or the bytes do not match the source's digest; nothing is
     *                            left at the destination then (the store's {@code write} guarantees it)
     */
    ArtifactRef copy(ArtifactRef source, ArtifactRef target) {
        ArtifactStore from = store(source.uri());
        ArtifactStore to = store(target.uri());
        long size = source.size() == null ? -1 : source.size();
        Digest expected = sha256(source.digest())
                .or(() -> from.stat(source.uri()).flatMap(stat -> sha256(stat.digest())))
                .orElseGet(() -> digestOf(from, source.uri()));
        Optional<ArtifactRef> existing = to.stat(target.uri());
        if (existing.isPresent() && expected.equals(existing.get().digest())) {
            return existing.get();
        }
        try (InputStream in = from.open(source.uri())) {
            return to.write(target.uri(), in, size, expected);
        } catch (IOException e) {
            throw ConnectorException.transientFailure("sync", "reading " + source.uri() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private ArtifactStore store(URI uri) {
        return resolver.storeFor(uri).orElseThrow(() -> ConnectorException.configuration("sync",
                "no configured connection serves artifacts at " + uri));
    }

    private static Optional<Digest> sha256(Digest digest) {
        return Optional.ofNullable(digest).filter(d -> d.algorithm() == Digest.Algorithm.SHA_256);
    }

    /** The source store offers no SHA-256: read it once to learn what the copy must match. */
    private static Digest digestOf(ArtifactStore store, URI uri) {
        try (InputStream in = store.open(uri);
             DigestOutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(),
                     MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(sink);
            return Digest.sha256(HexFormat.of().formatHex(sink.getMessageDigest().digest()));
        } catch (IOException e) {
            throw ConnectorException.transientFailure("sync", "reading " + uri + " failed: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
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
