package dev.switchboard.connector.dvc;

import dev.switchboard.connector.dvc.DvcOutput.HashName;
import dev.switchboard.connector.dvc.internal.DvcMd5;
import dev.switchboard.connector.dvc.internal.GitRepository;
import dev.switchboard.connector.dvc.internal.HttpRemote;
import dev.switchboard.connector.dvc.internal.LocalRemote;
import dev.switchboard.connector.dvc.internal.RemoteFailure;
import dev.switchboard.connector.dvc.internal.RemoteStorage;
import dev.switchboard.connector.dvc.internal.S3Remote;
import dev.switchboard.connector.dvc.internal.VerifyingInputStream;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Artifacts tracked by DVC, addressed {@code dvc://<connection>/<path>[@<revision>]} (without a revision: the
 * branch's head). A path resolves through the {@code .dvc} file or {@code dvc.lock} that records it at that revision
 * to the object in the DVC remote ({@code s3://}, a local directory, {@code http(s)://}); a path inside a tracked
 * directory resolves through the directory's {@code .dir} manifest. Every read is verified against DVC's md5 (and
 * size) while it streams; a mismatch fails the read with a {@code CONFIGURATION} error instead of an end of stream.
 *
 * <p>{@link #write} does what {@code dvc add} + {@code dvc push} + {@code git commit} do: the object goes to the
 * remote in DVC 3's layout, then {@code <path>.dvc} is committed on the branch (and pushed, for a cloned repository).
 */
final class DvcArtifactStore implements ArtifactStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DvcOptions.Settings settings;
    private final DvcProject project;
    private final DvcMapper mapper;
    private final Clock clock;
    private final Map<String, RemoteStorage> remotes = new ConcurrentHashMap<>();

    DvcArtifactStore(DvcOptions.Settings settings, DvcProject project, DvcMapper mapper, Clock clock) {
        this.settings = settings;
        this.project = project;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Override
    public boolean serves(URI uri) {
        return DvcMapper.SCHEME.equalsIgnoreCase(uri.getScheme()) && settings.connection().equals(uri.getAuthority());
    }

    /** A URI taken apart: the repository path and the revision ({@code null}: the branch head). */
    record Address(String path, String revision) {
    }

    Address address(URI uri) {
        if (!serves(uri) || uri.getPath() == null || uri.getPath().length() < 2) {
            throw ConnectorException.configuration(settings.connection(), "not an artifact of this connection: " + uri
                    + " (expected dvc://" + settings.connection() + "/<path>[@<revision>])");
        }
        String path = uri.getPath().substring(1);
        String revision = null;
        int at = path.lastIndexOf('@');
        if (at > 0 && path.indexOf('/', at) < 0) {
            revision = path.substring(at + 1);
            path = path.substring(0, at);
        }
        try {
            return new Address(DvcFiles.normalize(path, uri.toString()), revision);
        } catch (IllegalArgumentException e) {
            throw ConnectorException.configuration(settings.connection(), e.getMessage());
        }
    }

    private String commit(Address address) {
        String revision = address.revision() == null ? project.branch() : address.revision();
        return project.resolve(address.revision() == null ? "refs/heads/" + revision : revision).orElseThrow(() ->
                ConnectorException.configuration(settings.connection(), "revision " + revision
                        + " is not in the repository"));
    }

    /** What an address resolves to: the object to read, its recorded md5 and size, and where it lives. */
    private record Target(DvcOutput output, String objectMd5, HashName hashName, Long size, RemoteStorage remote,
                          String commit) {
        boolean directory() {
            return objectMd5.endsWith(".dir");
        }
    }

    private Optional<Target> target(URI uri) {
        Address address = address(uri);
        String commit = commit(address);
        Optional<DvcProject.Located> located = project.locate(address.path(), commit);
        if (located.isEmpty()) {
            return Optional.empty();
        }
        DvcOutput output = located.get().output();
        RemoteStorage remote = remote(output, commit);
        if (located.get().relpath() == null) {
            return Optional.of(new Target(output, output.md5(), output.hashName(), output.size(), remote, commit));
        }
        return child(output, located.get().relpath(), remote, commit);
    }

    /** The file {@code relpath} inside directory {@code output}, through its verified {@code .dir} manifest. */
    private Optional<Target> child(DvcOutput output, String relpath, RemoteStorage remote, String commit) {
        JsonNode manifest;
        try (InputStream in = verified(remote, output.objectKey(), output.md5().replace(".dir", ""),
                output.hashName(), -1, output.path() + " (.dir manifest)")) {
            manifest = JSON.readTree(in.readAllBytes());
        } catch (NoSuchFileException e) {
            throw missingObject(output.path(), output.objectKey(), remote);
        } catch (IOException e) {
            throw failure("read the .dir manifest of " + output.path(), remote, e);
        } catch (tools.jackson.core.JacksonException e) {
            throw ConnectorException.configuration(settings.connection(), "the .dir manifest of " + output.path()
                    + " is not JSON: " + e.getOriginalMessage());
        }
        if (!manifest.isArray()) {
            throw ConnectorException.configuration(settings.connection(), "the .dir manifest of " + output.path()
                    + " is not a JSON list");
        }
        for (JsonNode entry : manifest) {
            if (relpath.equals(entry.path("relpath").asString(null))) {
                String md5 = entry.path("md5").asString("");
                if (!md5.matches("[0-9a-f]{32}")) {
                    throw ConnectorException.configuration(settings.connection(), "the .dir manifest of "
                            + output.path() + " has no valid md5 for " + relpath);
                }
                Long size = entry.path("size").isIntegralNumber() ? entry.path("size").asLong() : null;
                return Optional.of(new Target(output, md5, output.hashName(), size, remote, commit));
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<ArtifactRef> stat(URI uri) {
        Optional<Target> target = target(uri);
        if (target.isEmpty()) {
            return Optional.empty();
        }
        Target t = target.get();
        String key = DvcOutput.objectKey(t.objectMd5(), t.hashName());
        OptionalLong stored = io("stat " + uri, t.remote(), () -> t.remote().size(key));
        if (stored.isEmpty()) {
            return Optional.empty(); // recorded in Git but never pushed: there are no bytes to read
        }
        Digest digest = t.hashName() == HashName.MD5 && !t.directory()
                ? new Digest(Digest.Algorithm.MD5, t.objectMd5()) : new Digest(Digest.Algorithm.ETAG, t.objectMd5());
        Long size = t.directory() ? t.size() : Long.valueOf(stored.getAsLong());
        return Optional.of(new ArtifactRef(uri, size, digest, null));
    }

    @Override
    public InputStream open(URI uri) {
        Target t = target(uri).orElseThrow(() -> ConnectorException.configuration(settings.connection(),
                "no artifact " + uri + ": no .dvc file or dvc.lock records that path at that revision"));
        if (t.directory()) {
            throw ConnectorException.configuration(settings.connection(), uri + " is a DVC-tracked directory"
                    + (t.output().nfiles() == null ? "" : " of " + t.output().nfiles() + " files")
                    + "; open a file inside it (dvc://" + settings.connection() + "/" + t.output().path()
                    + "/<file>@<revision>)");
        }
        String key = DvcOutput.objectKey(t.objectMd5(), t.hashName());
        try {
            return verified(t.remote(), key, t.objectMd5(), t.hashName(), t.size() == null ? -1 : t.size(),
                    uri.toString());
        } catch (NoSuchFileException e) {
            throw missingObject(uri.toString(), key, t.remote());
        } catch (IOException e) {
            throw failure("read " + uri, t.remote(), e);
        }
    }

    private InputStream verified(RemoteStorage remote, String key, String md5, HashName hashName, long size,
                                 String what) throws IOException {
        return new VerifyingInputStream(remote.open(key), md5, hashName == HashName.MD5_DOS2UNIX, size,
                (expected, actual) -> ConnectorException.configuration(settings.connection(), "integrity check of "
                        + what + " failed: DVC recorded " + expected + ", the object " + key + " in remote "
                        + remote.describe() + " has " + actual + "; the remote holds corrupt or different data"));
    }

    /**
     * Streams {@code content} to a temporary file (computing SHA-256 and md5), checks {@code expected}, uploads the
     * object to the remote in DVC 3's layout and commits {@code <path>.dvc} on the branch. On a digest mismatch
     * nothing reaches the remote or the repository.
     */
    @Override
    public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
        Address address = address(uri);
        if (address.revision() != null) {
            throw ConnectorException.configuration(settings.connection(), "cannot write " + uri
                    + ": a revision is history; write dvc://" + settings.connection() + "/" + address.path());
        }
        if (expected != null && expected.algorithm() != Digest.Algorithm.SHA_256) {
            throw ConnectorException.configuration(settings.connection(), "expected digest must be SHA-256, was "
                    + expected.algorithm());
        }
        Path temporary = null;
        try {
            temporary = Files.createTempFile("switchboard-dvc-", ".part");
            MessageDigest sha256 = Digest.sha256Hasher();
            DvcMd5 md5 = new DvcMd5(false);
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temporary), sha256)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = content.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    md5.update(buffer, 0, n);
                }
            }
            Digest actual = Digest.sha256(sha256);
            long written = md5.size();
            if (size >= 0 && written != size) {
                throw ConnectorException.configuration(settings.connection(), "write of " + uri + " announced "
                        + size + " bytes but the content had " + written + "; nothing was written");
            }
            if (expected != null && !expected.equals(actual)) {
                throw ConnectorException.configuration(settings.connection(), "write of " + uri + " expected SHA-256 "
                        + expected.value() + " but the content has " + actual.value() + "; nothing was written");
            }
            String head = commit(new Address(address.path(), null));
            Optional<DvcProject.Located> existing = project.locate(address.path(), head);
            if (existing.isPresent() && existing.get().relpath() != null) {
                throw ConnectorException.configuration(settings.connection(), "cannot write " + uri + ": it is inside "
                        + "the tracked directory " + existing.get().output().path());
            }
            if (existing.isPresent() && !existing.get().output().source().equals(address.path() + ".dvc")) {
                throw ConnectorException.configuration(settings.connection(), "cannot write " + uri + ": it is an "
                        + "output of " + existing.get().output().source() + ", which the pipeline owns");
            }
            String hex = md5.hex();
            DvcOutput output = new DvcOutput(address.path() + ".dvc", address.path(), hex, HashName.MD5, written,
                    null, null);
            RemoteStorage remote = remote(output, head);
            String key = output.objectKey();
            Path file = temporary;
            io("upload " + uri, remote, () -> {
                if (remote.size(key).orElse(-1) != written) {
                    remote.put(key, file, written);
                }
                return null;
            });
            String name = address.path().substring(address.path().lastIndexOf('/') + 1);
            String dvcFile = "outs:\n- md5: " + hex + "\n  size: " + written + "\n  hash: md5\n  path: "
                    + yamlString(name) + "\n";
            project.io("commit " + output.source(), () -> project.git().commitFile(project.branch(), output.source(),
                    dvcFile.getBytes(StandardCharsets.UTF_8), "Track " + address.path() + " with DVC\n\nWritten by "
                            + "Switchboard connection " + settings.connection() + ".",
                    GitRepository.author("Switchboard", clock.instant())));
            return new ArtifactRef(uri, written, actual, null);
        } catch (IOException e) {
            throw ConnectorException.transientFailure(settings.connection(), "write of " + uri + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static String yamlString(String value) {
        return value.matches("[A-Za-z0-9._/-]+") ? value : "'" + value.replace("'", "''") + "'";
    }

    /** The remote holding {@code output} at {@code commit}: the remote option, else the output's, else core.remote. */
    private RemoteStorage remote(DvcOutput output, String commit) {
        DvcConfig config = project.config(commit);
        String name = settings.remote().or(() -> Optional.ofNullable(output.remote()))
                .or(() -> Optional.ofNullable(config.defaultRemote())).orElseThrow(() ->
                        ConnectorException.configuration(settings.connection(), "no DVC remote for " + output.path()
                                + ": .dvc/config at " + commit + " has no core.remote; set one, or the remote option"));
        String url = config.url(name).orElseThrow(() -> ConnectorException.configuration(settings.connection(),
                "DVC remote " + name + " is not defined in .dvc/config at " + commit));
        return remotes.computeIfAbsent(name + " " + url, key -> open(name, url, config));
    }

    private RemoteStorage open(String name, String url, DvcConfig config) {
        String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        switch (scheme) {
            case "s3" -> {
                String region = settings.s3Region().or(() -> config.option(name, "region")).orElse("us-east-1");
                return new S3Remote(URI.create(url), region, settings.s3Endpoint().orElse(null), settings.s3PathStyle(),
                        settings.s3AccessKeyId().orElse(null), settings.s3SecretAccessKey().orElse(null),
                        settings.requestTimeout());
            }
            case "http", "https" -> {
                return new HttpRemote(URI.create(url), settings.httpUser().orElse(null),
                        settings.httpPassword().orElse(null), settings.requestTimeout());
            }
            case "file" -> {
                return new LocalRemote(Path.of(URI.create(url)));
            }
            case "" -> {
                Path path = Path.of(url);
                if (!path.isAbsolute()) {
                    if (settings.remoteRepository()) {
                        throw ConnectorException.configuration(settings.connection(), "DVC remote " + name
                                + " is the relative path " + url + ", which only means something in a checkout; "
                                + "use an absolute path or a URL");
                    }
                    // DVC resolves a relative remote against the directory of the config file that defines it.
                    path = Path.of(settings.repository()).resolve(".dvc").resolve(path).normalize();
                }
                return new LocalRemote(path);
            }
            default -> throw ConnectorException.configuration(settings.connection(), "DVC remote " + name + " is a "
                    + scheme + ":// remote; this connector reads s3://, http(s):// and local directory remotes");
        }
    }

    private ConnectorException missingObject(String what, String key, RemoteStorage remote) {
        return ConnectorException.configuration(settings.connection(), what + " is recorded in Git but its object "
                + key + " is not in remote " + remote.describe() + " (was it dvc push-ed?)");
    }

    private ConnectorException failure(String what, RemoteStorage remote, IOException e) {
        if (e instanceof RemoteFailure failure && failure.status() < 500 && failure.status() != 429) {
            return ConnectorException.configuration(settings.connection(), "cannot " + what + " from remote "
                    + remote.describe() + ": " + e.getMessage());
        }
        return ConnectorException.transientFailure(settings.connection(), "cannot " + what + " from remote "
                + remote.describe() + ": " + e.getMessage(), e);
    }

    interface RemoteCall<T> {
        T call() throws IOException;
    }

    private <T> T io(String what, RemoteStorage remote, RemoteCall<T> call) {
        try {
            return call.call();
        } catch (UnsupportedOperationException e) {
            throw ConnectorException.configuration(settings.connection(), "cannot " + what + ": " + e.getMessage());
        } catch (IOException e) {
            throw failure(what, remote, e);
        }
    }

    void close() {
        remotes.values().forEach(RemoteStorage::close);
    }
}
