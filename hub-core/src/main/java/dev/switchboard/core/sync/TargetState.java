package dev.switchboard.core.sync;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.Stage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a source version should look like at the target after mapping and the target's fidelity. A {@code null}
 * field (or {@code aliases == null}) is not managed: the target cannot hold it or the mapping leaves it alone.
 *
 * @param source   the source version it was mapped from (for what is only written at create time)
 * @param artifact where the target version's artifact lives (the source URI, or the copy's URI)
 */
record TargetState(ModelVersion source, String modelName, String description, Map<String, String> tags,
                   Set<String> aliases, Stage stage, ApprovalStatus approval, ArtifactRef artifact) {

    /** A digest of everything the sync writes, stored in the identity map: equal fingerprints need no write. */
    String fingerprint() {
        StringBuilder text = new StringBuilder()
                .append("model=").append(modelName).append('\n')
                .append("description=").append(description).append('\n')
                .append("stage=").append(stage).append('\n')
                .append("approval=").append(approval).append('\n')
                .append("artifact=").append(artifact == null ? null : artifact.uri()).append('\n')
                .append("aliases=").append(aliases == null ? null : new TreeSet<>(aliases)).append('\n');
        tags.forEach((key, value) -> text.append("tag.").append(key.length()).append(':').append(key).append('=')
                .append(value.length()).append(':').append(value).append('\n'));
        return Digest.sha256Of(text.toString().getBytes(StandardCharsets.UTF_8)).value();
    }
}
