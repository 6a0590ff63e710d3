package dev.switchboard.connector.mlflow;

import dev.switchboard.connector.mlflow.internal.MlflowClient;
import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.connector.mlflow.internal.MlflowErrors.MlflowApiException;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.Run;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.InputStream;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Artifacts through the tracking server's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts}):
 * {@code mlflow-artifacts:} URIs, {@code runs:/<run_id>/<path>} of runs whose artifacts the proxy serves, and
 * the proxy's own {@code http(s)} URLs on this server. MLflow keeps no digests, so {@link #stat} reports the
 * size only and SHA-256 is computed while bytes stream.
 */
public final class MlflowArtifactStore implements ArtifactStore {

    private static final String SCHEME = "mlflow-artifacts";
    private static final String PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts/";

    private final String connection;
    private final MlflowClient client;
    private final MlflowExperimentTracker tracker;

    MlflowArtifactStore(String connection, MlflowClient client, MlflowExperimentTracker tracker) {
        this.connection = connection;
        this.client = client;
        this.tracker = tracker;
    }

    @Override
    public boolean serves(URI uri) {
        String scheme = uri.getScheme();
        if (SCHEME.equalsIgnoreCase(scheme)) {
            return uri.getHost() == null || uri.getHost().equalsIgnoreCase(client.base().getHost());
        }
        return "runs".equalsIgnoreCase(scheme) || isLoggedModel(uri)
                || uri.toString().startsWith(client.base() + PROXY_PATH);
    }

    /**
     * {@code mlflow-artifacts:/<path>} (no host) as this server's artifact proxy URL, which any client of the server
     * can read and another MLflow server can store as a version's source.
     */
    @Override
    public Optional<URI> absoluteUri(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme()) || uri.getHost() != null) {
            return Optional.empty();
        }
        return Optional.of(URI.create(client.base() + PROXY_PATH + strip(uri.getRawPath())));
    }

    /** {@code models:/m-<id>[/path]}: an MLflow 3 logged model (not {@code models:/<name>/<version>}). */
    private static boolean isLoggedModel(URI uri) {
        return "models".equalsIgnoreCase(uri.getScheme()) && strip(uri.getPath()).startsWith("m-");
    }

    @Override
    public Optional<ArtifactRef> stat(URI uri) {
        String path = proxyPath(uri);
        int slash = path.lastIndexOf('/');
        String directory = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        List<MlflowDtos.FileInfo> files;
        try {
            files = client.listArtifacts(directory);
        } catch (MlflowApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        return files.stream()
                .filter(file -> !Boolean.TRUE.equals(file.isDir()))
                .filter(file -> name.equals(file.path()) || path.equals(file.path()))
                .findFirst()
                .map(file -> new ArtifactRef(uri, file.fileSize(), null, null));
    }

    /**
     * Every file under the directory {@code uri}, recursively (one proxy listing per directory; the OSS proxy does
     * not page), each as {@code <uri>/<relative path>}; empty when {@code uri} is not a directory.
     */
    @Override
    public List<ArtifactRef> listFiles(URI uri) {
        String root = proxyPath(uri);
        String base = uri.toString().replaceAll("/+$", "");
        List<ArtifactRef> files = new java.util.ArrayList<>();
        java.util.ArrayDeque<String> directories = new java.util.ArrayDeque<>(List.of(""));
        while (!directories.isEmpty()) {
            String relative = directories.poll();
            List<MlflowDtos.FileInfo> entries;
            try {
                entries = client.listArtifacts(relative.isEmpty() ? root : root + "/" + relative);
            } catch (MlflowApiException e) {
                if (e.isNotFound()) {
                    return List.of();
                }
                throw e;
            }
            for (MlflowDtos.FileInfo entry : entries) {
                String name = entry.path().substring(entry.path().lastIndexOf('/') + 1);
                String path = relative.isEmpty() ? name : relative + "/" + name;
                if (Boolean.TRUE.equals(entry.isDir())) {
                    directories.add(path);
                } else {
                    files.add(new ArtifactRef(URI.create(base + "/" + path), entry.fileSize(), null, null));
                }
            }
        }
        files.sort(java.util.Comparator.comparing(file -> file.uri().toString()));
        return files;
    }

    /** Lists one directory level under {@code uri}: basenames, sizes, and whether each entry is a directory. */
    public List<MlflowDtos.FileInfo> list(URI uri) {
        return client.listArtifacts(proxyPath(uri));
    }

    @Override
    public InputStream open(URI uri) {
        return client.download(proxyPath(uri));
    }

    /**
     * Streams the upload while hashing. The proxy has no atomic rename, so a digest mismatch is detected after
     * the bytes arrived and the artifact is deleted again before the error is thrown.
     */
    @Override
    public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
        if (expected != null && expected.algorithm() != Digest.Algorithm.SHA_256) {
            throw ConnectorException.configuration(connection, "expected digest of " + uri + " must be SHA-256, was "
                    + expected.algorithm());
        }
        String path = proxyPath(uri);
        MessageDigest sha256 = Digest.sha256Hasher();
        CountingDigestStream hashing = new CountingDigestStream(content, sha256);
        client.upload(path, hashing, size);
        Digest actual = Digest.sha256(sha256);
        if (expected != null && !expected.equals(actual)) {
            client.deleteArtifact(path);
            throw ConnectorException.configuration(connection, "digest mismatch writing " + uri + ": expected sha256 "
                    + expected.value() + " but the content had sha256 " + actual.value() + "; the upload was removed");
        }
        return new ArtifactRef(uri, hashing.count, actual, null);
    }

    /** The path under the artifact proxy that {@code uri} names. */
    String proxyPath(URI uri) {
        if (!serves(uri)) {
            throw ConnectorException.configuration(connection, "artifact " + uri + " is not served by this MLflow server");
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        return switch (scheme) {
            case SCHEME -> strip(uri.getPath());
            case "runs" -> runArtifactPath(uri);
            case "models" -> loggedModelPath(uri);
            default -> strip(uri.getPath().substring(uri.getPath().indexOf(PROXY_PATH) + PROXY_PATH.length()));
        };
    }

    /** {@code runs:/<run_id>/<path>} lives under the run's {@code artifact_uri}, if the proxy serves that. */
    private String runArtifactPath(URI uri) {
        String rest = strip(uri.getPath());
        int slash = rest.indexOf('/');
        String runId = slash < 0 ? rest : rest.substring(0, slash);
        String relative = slash < 0 ? "" : rest.substring(slash + 1);
        Run run = tracker.getRun(runId).orElseThrow(() -> ConnectorException.configuration(connection,
                "run " + runId + " of artifact " + uri + " does not exist"));
        URI root = run.artifactUri();
        if (root == null || !SCHEME.equalsIgnoreCase(root.getScheme())) {
            throw ConnectorException.configuration(connection, "run " + runId + " stores artifacts at " + root
                    + ", which the tracking server does not proxy; read them from that store directly");
        }
        String base = strip(root.getPath());
        return relative.isEmpty() ? base : base + "/" + relative;
    }

    /**
     * {@code models:/m-<id>[/path]} lives under the logged model's {@code artifact_uri}
     * ({@code GET logged-models/<id>}, MLflow 3), if the proxy serves that.
     */
    private String loggedModelPath(URI uri) {
        String rest = strip(uri.getPath());
        int slash = rest.indexOf('/');
        String modelId = slash < 0 ? rest : rest.substring(0, slash);
        String relative = slash < 0 ? "" : rest.substring(slash + 1);
        String root;
        try {
            root = client.get("logged-models/" + modelId, java.util.Map.of()).path("model").path("info")
                    .path("artifact_uri").asString(null);
        } catch (MlflowApiException e) {
            if (e.isNotFound()) {
                throw ConnectorException.configuration(connection, "logged model " + modelId + " of artifact " + uri
                        + " does not exist on this server (models:/m-… needs MLflow 3)");
            }
            throw e;
        }
        URI artifactRoot = root == null ? null : URI.create(root);
        if (artifactRoot == null || !SCHEME.equalsIgnoreCase(artifactRoot.getScheme())) {
            throw ConnectorException.configuration(connection, "logged model " + modelId + " stores artifacts at "
                    + root + ", which the tracking server does not proxy; read them from that store directly");
        }
        String base = strip(artifactRoot.getPath());
        return relative.isEmpty() ? base : base + "/" + relative;
    }

    private static String strip(String path) {
        String result = path == null ? "" : path;
        while (result.startsWith("/")) {
            result = result.substring(1);
        }
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    /** Hashes and counts the bytes as the HTTP client pulls them. */
    private static final class CountingDigestStream extends DigestInputStream {

        private long count;

        CountingDigestStream(InputStream in, MessageDigest digest) {
            super(in, digest);
        }

        @Override
        public int read() throws java.io.IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
