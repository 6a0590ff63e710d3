package dev.switchboard.connector.dvc;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.DataVersion;
import dev.switchboard.model.Digest;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Maps DVC outputs to canonical data versions and events.
 *
 * <p>A {@link DataVersion}'s {@code version} is the commit; its artifact is {@code dvc://<connection>/<path>@<commit>},
 * which this connection's artifact store serves. The digest is the md5 DVC wrote: {@link Digest.Algorithm#MD5} when
 * it is the md5 of the bytes (DVC 3 files), {@link Digest.Algorithm#ETAG} (an opaque store identifier, as the model
 * defines it) for a directory ({@code <md5>.dir}, the hash of its manifest) and for a DVC 2.x text-normalised md5,
 * which a reader must not check against the raw bytes. The output's {@code nfiles} and remote name have no canonical
 * field; they stay with the connection (the artifact store resolves the remote again on every read).
 */
final class DvcMapper {

    static final String SYSTEM = "dvc";
    static final String SCHEME = "dvc";

    private final String connection;
    private final URI source;

    DvcMapper(String connection) {
        this.connection = connection;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    DataVersion dataVersion(DvcOutput output, String commit, Instant time) {
        Digest digest = output.hashName() == DvcOutput.HashName.MD5 && !output.directory()
                ? new Digest(Digest.Algorithm.MD5, output.md5()) : new Digest(Digest.Algorithm.ETAG, output.md5());
        ResourceRef ref = ResourceRef.of(SYSTEM, connection, "data_version",
                output.source() + "#" + output.path() + "@" + commit);
        return new DataVersion(ref, output.path(), commit,
                new ArtifactRef(uri(output.path(), commit), output.size(), digest, null), time);
    }

    /**
     * A {@code data_version.created} event whose id is the commit and the path: a webhook and a poll that see the same
     * commit produce the same id, so the inbox stores the data version once whichever way it arrived.
     */
    CanonicalEvent created(DvcProject.Version version) {
        DvcOutput output = version.output();
        String id = "dvc-" + version.commit() + ":" + output.path();
        if (id.length() > CanonicalEvent.MAX_ID_LENGTH) {
            id = "dvc-" + version.commit() + ":sha256:" + sha256(output.path());
        }
        return new CanonicalEvent(id, source, EventType.DATA_VERSION_CREATED, output.path(), version.time(),
                dataVersion(output, version.commit(), version.time()));
    }

    /** {@code dvc://<connection>/<path>@<revision>}, percent-encoded where the path needs it. */
    URI uri(String path, String revision) {
        try {
            return new URI(SCHEME, connection, "/" + path + (revision == null ? "" : "@" + revision), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot build a dvc URI for " + path, e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
