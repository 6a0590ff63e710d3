package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.Fidelity.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** Maps a source version to its {@link TargetState} for one job and target fidelity, listing what cannot be carried. */
final class VersionMapper {

    /** Tag keys of the hub's own bookkeeping: never copied, never deleted at the target. */
    static final String RESERVED_TAG_PREFIX = "switchboard.";

    /**
     * A mapped version.
     *
     * @param state the target state
     * @param gaps  what the target cannot hold
     */
    record Mapped(TargetState state, List<FidelityGap> gaps) {
    }

    private final SyncJobSpec job;
    private final Fidelity target;
    private final ArtifactCopier artifacts;

    VersionMapper(SyncJobSpec job, Fidelity target, ArtifactCopier artifacts) {
        this.job = job;
        this.target = target;
        this.artifacts = artifacts;
    }

    Mapped map(ModelVersion source) {
        List<FidelityGap> gaps = new ArrayList<>();
        SyncJobSpec.FieldMapping mapping = job.mapping();

        String description = target.supports(Field.DESCRIPTION) ? source.description() : null;
        if (description == null && source.description() != null && !source.description().isBlank()) {
            gaps.add(new FidelityGap(Field.DESCRIPTION, "description not held by the target"));
        }

        Optional<String> approvingAlias = new TreeSet<>(source.aliases()).stream()
                .filter(mapping.aliasApproval()::containsKey).findFirst();
        ApprovalStatus approval = null;
        String approvalFrom = null;
        if (approvingAlias.isPresent()) {
            approval = mapping.aliasApproval().get(approvingAlias.get());
            approvalFrom = "alias " + approvingAlias.get();
        } else if (source.stage() != null && mapping.stageApproval().containsKey(source.stage())) {
            approval = mapping.stageApproval().get(source.stage());
            approvalFrom = "stage " + source.stage();
        } else if (source.approval() != null) {
            approval = source.approval();
        } else {
            approval = mapping.defaultApproval();
            approvalFrom = approval == null ? null : "the job's default";
        }
        if (!target.supports(Field.APPROVAL)) {
            if (source.approval() != null) {
                gaps.add(new FidelityGap(Field.APPROVAL, "approval " + source.approval() + " not held by the target"));
            }
            approval = null;
        }

        Stage stage = source.stage() != null ? source.stage()
                : source.approval() == null ? null : mapping.approvalStage().get(source.approval());
        if (stage != null && !target.holdsStage(stage)) {
            if (source.stage() != null && source.stage() != Stage.NONE) {
                gaps.add(new FidelityGap(Field.STAGE, "stage " + source.stage() + " not held by the target"
                        + (target.stages().isEmpty() ? "" : " (it holds " + new TreeSet<>(target.stages()) + ")")
                        + carriedAs(approval, "stage " + source.stage(), approvalFrom)));
            }
            stage = null;
        }

        TreeSet<String> aliases = null;
        if (target.supports(Field.ALIASES)) {
            aliases = new TreeSet<>(source.aliases());
        } else if (!source.aliases().isEmpty()) {
            gaps.add(new FidelityGap(Field.ALIASES, "aliases " + String.join(", ", new TreeSet<>(source.aliases()))
                    + " not held by the target" + carriedAs(approval, approvingAlias.map(a -> "alias " + a)
                    .orElse(null), approvalFrom)));
        }

        Map<String, String> tags = mapTags(source, gaps);

        reportUnheld(gaps, Field.METRICS, !source.metrics().isEmpty(), source.metrics().size() + " metrics");
        reportUnheld(gaps, Field.PARAMS, !source.params().isEmpty(), source.params().size() + " params");
        reportUnheld(gaps, Field.SOURCE_RUN, source.sourceRun() != null, "the source run link");
        reportUnheld(gaps, Field.ARTIFACT, source.artifact() != null, "the artifact");

        ArtifactRef artifact = !target.supports(Field.ARTIFACT) ? null : artifacts.targetArtifact(job, source);
        if (artifact != null && artifact.equals(source.artifact()) && isServerRelative(artifact)
                && !job.source().equals(job.target())) {
            // Referenced as it is, runs:/, models:/ and mlflow-artifacts:/ would name something on the target's own
            // server (or nothing): MLflow targets answered HTTP 500 for models:/m-… forever, others stored a dead link.
            // The source server's own absolute URI for it (MLflow's artifact proxy URL) is readable from anywhere.
            Optional<ArtifactRef> absolute = artifacts.absolute(artifact, source.ref().connection());
            if (absolute.isEmpty()) {
                gaps.add(new FidelityGap(Field.ARTIFACT, "artifact " + artifact.uri() + " is relative to "
                        + job.source() + " and cannot be referenced from " + job.target()
                        + "; set artifacts.mode: copy to carry it"));
            }
            artifact = absolute.orElse(null);
        }
        return new Mapped(new TargetState(source, source.modelName(), description, tags, aliases, stage, approval,
                artifact), gaps);
    }

    private Map<String, String> mapTags(ModelVersion source, List<FidelityGap> gaps) {
        TreeMap<String, String> tags = new TreeMap<>();
        source.tags().forEach((key, value) -> {
            if (!key.startsWith(RESERVED_TAG_PREFIX)) {
                tags.put(job.mapping().tagRenames().getOrDefault(key, key), value);
            }
        });
        if (!target.supports(Field.TAGS)) {
            if (!tags.isEmpty()) {
                gaps.add(new FidelityGap(Field.TAGS, "tags " + String.join(", ", tags.keySet())
                        + " not held by the target"));
            }
            return Map.of();
        }
        // One tag the target cannot hold is left out with a gap; it does not fail the whole version.
        Map<String, List<String>> rejected = new TreeMap<>();
        tags.forEach((key, value) -> target.rejectsTag(key, value)
                .ifPresent(reason -> rejected.computeIfAbsent(reason, r -> new ArrayList<>()).add(key)));
        rejected.forEach((reason, keys) -> {
            keys.forEach(tags::remove);
            gaps.add(new FidelityGap(Field.TAGS, "tags " + String.join(", ", keys) + " not carried: " + reason));
        });
        if (tags.size() > target.maxTags()) {
            List<String> dropped = List.copyOf(new ArrayList<>(tags.keySet()).subList(target.maxTags(), tags.size()));
            dropped.forEach(tags::remove);
            gaps.add(new FidelityGap(Field.TAGS, "tags " + String.join(", ", dropped) + " not carried: beyond the "
                    + "target's limit of " + target.maxTags() + " tags"));
        }
        return java.util.Collections.unmodifiableSortedMap(tags);
    }

    /** URIs that only mean something on the server they came from. */
    private static boolean isServerRelative(ArtifactRef artifact) {
        String scheme = artifact.uri().getScheme();
        return scheme != null && java.util.Set.of("runs", "models", "mlflow-artifacts")
                .contains(scheme.toLowerCase(java.util.Locale.ROOT)) && artifact.uri().getHost() == null;
    }

    private void reportUnheld(List<FidelityGap> gaps, Field field, boolean present, String what) {
        if (present && !target.supports(field)) {
            gaps.add(new FidelityGap(field, what + " not held by the target"));
        }
    }

    private static String carriedAs(ApprovalStatus approval, String what, String approvalFrom) {
        return approval != null && what != null && what.equals(approvalFrom)
                ? " (carried as approval " + approval + " by the job's mapping)" : "";
    }
}
