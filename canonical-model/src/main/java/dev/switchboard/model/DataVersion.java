package dev.switchboard.model;

import java.time.Instant;

/**
 * One version of a tracked data set (a DVC-tracked path at a commit, a dataset version in a registry).
 *
 * @param ref       where the version is recorded (for DVC: the repository and the {@code .dvc} file)
 * @param path      the data set's path or name
 * @param version   the version as the tool identifies it (a commit, a content hash, a tag)
 * @param artifact  where the bytes live and their digest
 * @param createdAt when the version was made, or {@code null}
 */
public record DataVersion(ResourceRef ref, String path, String version, ArtifactRef artifact, Instant createdAt)
        implements EventData {

    public DataVersion {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("path", path);
        Checks.requireText("version", version);
        Checks.requireNonNull("artifact", artifact);
        Checks.time("createdAt", createdAt);
    }
}
