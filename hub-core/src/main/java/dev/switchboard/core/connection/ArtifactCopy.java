package dev.switchboard.core.connection;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The hub's one verified, streaming copy of an artifact between two stores, used by the {@code hub/copy-artifact}
 * action and by sync jobs in {@code copy} mode: a file, or a directory copied as a tree (a model logged the usual way
 * is a directory: {@code MLmodel}, the model file, environment files).
 *
 * <p>Each side is resolved to the connection that serves it, the source through the connection it came from first
 * ({@code runs:/…} and {@code mlflow-artifacts:/…} are relative to their server). Each file is written with the
 * source's SHA-256 as the expected digest, so a mismatch leaves nothing at the destination; a source that keeps no
 * SHA-256 (and whose caller knows none) is read once more to compute it, and a size that changed meanwhile fails the
 * copy. A destination file that already holds the same SHA-256 is not written again. A tree's digest is its
 * <b>manifest digest</b>: the SHA-256 of the lines {@code <sha256 of the file>  <path under the directory>\n},
 * sorted by path ({@code sha256sum}'s format), so two trees have equal digests exactly when every file is equal.
 *
 * <p>A directory copied to a destination ending in {@code .tar.gz} or {@code .tgz} is packed instead, as SageMaker's
 * {@code ModelDataUrl} wants one {@code .tar.gz}: a deterministic archive (entries sorted by path, times, owners and
 * the gzip header zeroed), so the same tree always gives the same bytes. It is built twice while streaming, once to
 * learn its SHA-256 and once to write it with that digest expected; a file that changes in between fails the copy
 * and leaves nothing behind.
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

    private final ArtifactResolver resolver;
    private final String who;

    /**
     * @param resolver finds the store of each side
     * @param who      the name errors start with ({@code hub/copy-artifact}, {@code sync})
     */
    public ArtifactCopy(ArtifactResolver resolver, String who) {
        this.resolver = resolver;
        this.who = who;
    }

    /**
     * Copies the artifact at {@code source} to {@code target}, each read or written through the connection that
     * serves it.
     *
     * @param knownSha256      the source's SHA-256 when the caller knows it (a version's artifact), else null
     * @param sourceConnection the connection {@code source} came from (an event's, a version's), asked first; or null
     * @throws ConnectorException {@code CONFIGURATION} when no connection serves a side ({@link #refusal} says so
     *                            without reading) or there is nothing at {@code source}; a store's own failure as
     *                            the store classified it
     */
    public Copied copy(URI source, Digest knownSha256, String sourceConnection, URI target) {
        refusal(source, sourceConnection, target).ifPresent(why -> {
            throw ConnectorException.configuration(who, why);
        });
        return copy(resolver.storeFor(source, sourceConnection).orElseThrow(), source, knownSha256,
                resolver.storeFor(target, null).orElseThrow(), target, who);
    }

    /** Why {@link #copy(URI, Digest, String, URI)} would fail for want of a store, or empty; reads nothing. */
    public Optional<String> refusal(URI source, String sourceConnection, URI target) {
        if (resolver.storeFor(source, sourceConnection).isEmpty()) {
            return Optional.of("no configured connection serves artifacts at " + source + (sourceConnection == null
                    ? "" : " (asked " + sourceConnection + ", where it came from, first)"));
        }
        if (resolver.storeFor(target, null).isEmpty()) {
            return Optional.of("no configured connection serves artifacts at " + target + " (where the copy goes)");
        }
        return Optional.empty();
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
        if (isArchive(target)) {
            return pack(from, files, sourcePrefix, to, target, who);
        }
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

    private static boolean isArchive(URI target) {
        String path = target.toString().toLowerCase(java.util.Locale.ROOT);
        return path.endsWith(".tar.gz") || path.endsWith(".tgz");
    }

    /** Packs the tree into a deterministic {@code .tar.gz} at {@code target} (see the class comment). */
    private static Copied pack(ArtifactStore from, List<ArtifactRef> files, String sourcePrefix, ArtifactStore to,
                               URI target, String who) {
        TreeMap<String, ArtifactRef> byPath = new TreeMap<>();
        files.forEach(file -> byPath.put(file.uri().toString().startsWith(sourcePrefix)
                ? file.uri().toString().substring(sourcePrefix.length()) : name(file.uri()), file));
        TreeMap<String, Digest> digests = new TreeMap<>();
        MessageDigest archive = Digest.sha256Hasher();
        try (OutputStream sink = new java.security.DigestOutputStream(OutputStream.nullOutputStream(), archive)) {
            TarGz.write(from, byPath, sink, digests, who);
        } catch (IOException e) {
            throw ConnectorException.transientFailure(who, "packing " + sourcePrefix + " failed: " + e.getMessage(), e);
        }
        Digest expected = Digest.sha256(archive);
        Optional<ArtifactRef> existing = to.stat(target);
        if (existing.isPresent() && expected.equals(existing.get().digest())) {
            return new Copied(existing.get(), digests);
        }
        java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 16);
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread producer;
        try {
            java.io.PipedOutputStream out = new java.io.PipedOutputStream(in);
            producer = new Thread(() -> {
                try (out) {
                    TarGz.write(from, byPath, out, new TreeMap<>(), who);
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "artifact-pack");
        } catch (IOException e) {
            throw new IllegalStateException("a pipe always connects", e);
        }
        producer.setDaemon(true);
        producer.start();
        ArtifactRef written;
        try (in) {
            written = to.write(target, in, -1, expected);
        } catch (IOException | RuntimeException e) {
            if (failure.get() instanceof ConnectorException packing) {
                throw packing; // the archive broke off: that is the cause, not the digest it left behind
            }
            if (failure.get() != null) {
                throw ConnectorException.transientFailure(who, "packing " + sourcePrefix + " failed: "
                        + failure.get().getMessage(), failure.get());
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw ConnectorException.transientFailure(who, "writing " + target + " failed: " + e.getMessage(), e);
        } finally {
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure.get() instanceof ConnectorException e) {
            throw e;
        }
        return new Copied(new ArtifactRef(target, written.size(), written.digest(), "application/gzip"), digests);
    }

    /** The SHA-256 of {@code <sha256>  <path>\n} lines sorted by path. */
    public static Digest manifestDigest(Map<String, Digest> files) {
        StringBuilder manifest = new StringBuilder();
        new TreeMap<>(files).forEach((path, digest) -> manifest.append(digest.value()).append("  ").append(path)
                .append('\n'));
        return Digest.sha256Of(manifest.toString().getBytes(StandardCharsets.UTF_8));
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
        MessageDigest sha256 = Digest.sha256Hasher();
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
        return Digest.sha256(sha256);
    }

    /** A deterministic ustar archive, gzipped, written while the files stream. */
    private static final class TarGz {

        private static final int BLOCK = 512;

        static void write(ArtifactStore from, Map<String, ArtifactRef> files, OutputStream out,
                          Map<String, Digest> digests, String who) throws IOException {
            java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out, 1 << 16);
            for (Map.Entry<String, ArtifactRef> file : files.entrySet()) {
                URI uri = file.getValue().uri();
                Long declared = file.getValue().size();
                if (declared == null) {
                    declared = from.stat(uri).map(ArtifactRef::size).orElseThrow(() -> ConnectorException
                            .configuration(who, "cannot pack " + uri + ": its size is unknown"));
                }
                gzip.write(header(file.getKey(), declared, who));
                MessageDigest sha256 = Digest.sha256Hasher();
                long size;
                try (InputStream in = new DigestInputStream(from.open(uri), sha256)) {
                    size = in.transferTo(gzip);
                }
                if (size != declared) {
                    throw ConnectorException.transientFailure(who, uri + " has " + size + " bytes but its store "
                            + "reported " + declared + "; it changed while being read", null);
                }
                gzip.write(new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)]);
                digests.put(file.getKey(), Digest.sha256(sha256));
            }
            gzip.write(new byte[2 * BLOCK]);
            gzip.finish();
        }

        private static byte[] header(String path, long size, String who) {
            byte[] header = new byte[BLOCK];
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            byte[] prefix = new byte[0];
            if (name.length > 100) {
                int split = path.lastIndexOf('/', Math.min(path.length() - 1, 155));
                prefix = split < 0 ? name : path.substring(0, split).getBytes(StandardCharsets.UTF_8);
                name = split < 0 ? name : path.substring(split + 1).getBytes(StandardCharsets.UTF_8);
                if (split < 0 || prefix.length > 155 || name.length > 100) {
                    throw ConnectorException.configuration(who, "cannot pack " + path + ": the path is too long for "
                            + "a tar header");
                }
            }
            System.arraycopy(name, 0, header, 0, name.length);
            octal(header, 100, 8, 0644);
            octal(header, 108, 8, 0);
            octal(header, 116, 8, 0);
            octal(header, 124, 12, size);
            octal(header, 136, 12, 0);
            java.util.Arrays.fill(header, 148, 156, (byte) ' ');
            header[156] = '0';
            System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
            System.arraycopy(prefix, 0, header, 345, prefix.length);
            long checksum = 0;
            for (byte b : header) {
                checksum += b & 0xff;
            }
            octal(header, 148, 7, checksum);
            return header;
        }

        /** {@code value} as zero-padded octal digits in {@code length - 1} bytes and a NUL. */
        private static void octal(byte[] header, int offset, int length, long value) {
            String digits = Long.toOctalString(value);
            if (digits.length() > length - 1) {
                throw new IllegalArgumentException(value + " does not fit a tar header field");
            }
            byte[] text = ("0".repeat(length - 1 - digits.length()) + digits).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, header, offset, text.length);
            header[offset + length - 1] = 0;
        }
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
}
