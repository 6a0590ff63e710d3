package dev.switchboard.core.connection;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A verified, streaming copy of one artifact between two stores: a file, or a directory copied as a tree (a model
 * logged the usual way is a directory: {@code MLmodel}, the model file, environment files).
 *
 * <p>Each file is written with the source's SHA-256 as the expected digest, so a mismatch leaves nothing at the
 * destination; a source that keeps no SHA-256 is read once more to compute it, and a size that changed meanwhile
 * fails the copy. A destination file that already holds the same SHA-256 is not written again. A tree's digest is
 * its <b>manifest digest</b>: the SHA-256 of the lines {@code <sha256 of the file>  <path under the directory>\n},
 * sorted by path ({@code sha256sum}'s format), so two trees have equal digests exactly when every file is equal.
 */
public final class ArtifactCopy {

    /** The media type of a copied directory's {@link ArtifactRef}. */
    public static final String DIRECTORY = "inode/directory";

    /**
     * What was copied.
     *
     * @param artifact the destination: the file, or the directory with its manifest digest and total size
     * @param files    SHA-256 per path under the directory (one entry, the file name, for a file)
     */
    public record Copied(ArtifactRef artifact, Map<String, Digest> files) {

        public boolean directory() {
            return DIRECTORY.equals(artifact.mediaType());
        }
    }

    private ArtifactCopy() {
    }

    /**
     * Copies {@code source} (a file, else a directory) from {@code from} to {@code target} in {@code to}; a directory's
     * files land under {@code target} as a prefix.
     *
     * @param who the name errors start with ({@code hub}, {@code sync})
     * @throws ConnectorException {@code CONFIGURATION} when there is neither a file nor a directory at {@code source}
     */
    public static Copied copy(ArtifactStore from, URI source, ArtifactStore to, URI target, String who) {
        return copy(from, source, null, to, target, who);
    }

    /** As {@link #copy(ArtifactStore, URI, ArtifactStore, URI, String)}, with the file's SHA-256 when already known. */
    public static Copied copy(ArtifactStore from, URI source, Digest knownSha256, ArtifactStore to, URI target,
                              String who) {
        Optional<ArtifactRef> file = from.stat(source);
        if (file.isPresent()) {
            ArtifactRef stat = knownSha256 != null && knownSha256.algorithm() == Digest.Algorithm.SHA_256
                    ? new ArtifactRef(file.get().uri(), file.get().size(), knownSha256, file.get().mediaType())
                    : file.get();
            ArtifactRef written = copyFile(from, stat, to, target, who);
            return new Copied(written, Map.of(name(source), written.digest()));
        }
        List<ArtifactRef> files = from.listFiles(source);
        if (files.isEmpty()) {
            throw ConnectorException.configuration(who, "there is no artifact at " + source
                    + " (neither a file nor a directory with files)");
        }
        String sourcePrefix = withoutTrailingSlash(source.toString()) + "/";
        String targetPrefix = withoutTrailingSlash(target.toString()) + "/";
        TreeMap<String, Digest> digests = new TreeMap<>();
        long total = 0;
        for (ArtifactRef each : files) {
            String relative = each.uri().toString().startsWith(sourcePrefix)
                    ? each.uri().toString().substring(sourcePrefix.length()) : name(each.uri());
            ArtifactRef written = copyFile(from, each, to, URI.create(targetPrefix + relative), who);
            digests.put(relative, written.digest());
            total += written.size() == null ? 0 : written.size();
        }
        return new Copied(new ArtifactRef(URI.create(withoutTrailingSlash(target.toString())), total,
                manifestDigest(digests), DIRECTORY), digests);
    }

    /** The SHA-256 of {@code <sha256>  <path>\n} lines sorted by path. */
    public static Digest manifestDigest(Map<String, Digest> files) {
        StringBuilder manifest = new StringBuilder();
        new TreeMap<>(files).forEach((path, digest) -> manifest.append(digest.value()).append("  ").append(path)
                .append('\n'));
        return Digest.sha256(HexFormat.of().formatHex(sha256().digest(manifest.toString()
                .getBytes(StandardCharsets.UTF_8))));
    }

    private static ArtifactRef copyFile(ArtifactStore from, ArtifactRef stat, ArtifactStore to, URI target,
                                        String who) {
        URI source = stat.uri();
        Digest sha256 = stat.digest() != null && stat.digest().algorithm() == Digest.Algorithm.SHA_256
                ? stat.digest() : digestOf(from, source, stat.size(), who);
        Optional<ArtifactRef> existing = to.stat(target);
        if (existing.isPresent() && sha256.equals(existing.get().digest())) {
            return existing.get();
        }
        try (InputStream in = from.open(source)) {
            return to.write(target, in, stat.size() == null ? -1 : stat.size(), sha256);
        } catch (IOException e) {
            throw ConnectorException.transientFailure(who, "copying " + source + " to " + target + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** Streams the artifact once to compute its SHA-256, checking the size the store reported. */
    private static Digest digestOf(ArtifactStore store, URI uri, Long expectedSize, String who) {
        MessageDigest sha256 = sha256();
        long size;
        try (InputStream in = new DigestInputStream(store.open(uri), sha256)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw ConnectorException.transientFailure(who, "reading " + uri + " failed: " + e.getMessage(), e);
        }
        if (expectedSize != null && expectedSize != size) {
            throw ConnectorException.transientFailure(who, uri + " has " + size + " bytes but its store reported "
                    + expectedSize + "; it changed while being read", null);
        }
        return Digest.sha256(HexFormat.of().formatHex(sha256.digest()));
    }

    private static String name(URI uri) {
        String text = withoutTrailingSlash(uri.toString());
        return text.substring(text.lastIndexOf('/') + 1);
    }

    private static String withoutTrailingSlash(String text) {
        String result = text;
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
