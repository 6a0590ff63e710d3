package dev.switchboard.core.config;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.Stage;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A declarative sync job: keep the model versions of one registry connection in step with another
 * ({@code switchboard.sync-jobs.<name>} in {@code switchboard.yaml}). Immutable; absent parts take the defaults
 * documented on each component. {@link SyncJobValidator} reports every problem of a spec with its path.
 *
 * <p>Lives with the configuration (not in {@code core.sync}) so that {@link HubConfig} can hold it without a
 * package cycle; the engine in {@code dev.switchboard.core.sync} reads it.
 *
 * @param name      the job's name, as the key under {@code sync-jobs}; used for cursors, runs and idempotency keys,
 *                  so renaming a job makes it start over (without duplicates where the target finds earlier copies
 *                  by their external reference)
 * @param source    the connection read from; must offer a model registry
 * @param target    the connection written to; must offer a model registry and differ from {@code source}
 * @param selection which versions to sync; {@link Selection#ALL} when {@code null}
 * @param mapping   how fields translate between the two tools; {@link FieldMapping#IDENTITY} when {@code null}
 * @param artifacts whether the target references the source artifact or gets a verified copy;
 *                  {@link ArtifactPolicy#REFERENCE_SOURCE} when {@code null}
 * @param trigger   when the job runs by itself; {@link Trigger#MANUAL} (only on request) when {@code null}
 * @param pageSize  how many versions to read from the source per request; 100 when 0
 */
public record SyncJobSpec(String name, String source, String target, Selection selection, FieldMapping mapping,
                          ArtifactPolicy artifacts, Trigger trigger, int pageSize) {

    public static final int DEFAULT_PAGE_SIZE = 100;

    public SyncJobSpec {
        selection = selection == null ? Selection.ALL : selection;
        mapping = mapping == null ? FieldMapping.IDENTITY : mapping;
        artifacts = artifacts == null ? ArtifactPolicy.REFERENCE_SOURCE : artifacts;
        trigger = trigger == null ? Trigger.MANUAL : trigger;
        pageSize = pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize;
    }

    /** A job with every optional part at its default. */
    public static SyncJobSpec of(String name, String source, String target) {
        return new SyncJobSpec(name, source, target, null, null, null, null, 0);
    }

    public SyncJobSpec withSelection(Selection selection) {
        return new SyncJobSpec(name, source, target, selection, mapping, artifacts, trigger, pageSize);
    }

    public SyncJobSpec withMapping(FieldMapping mapping) {
        return new SyncJobSpec(name, source, target, selection, mapping, artifacts, trigger, pageSize);
    }

    public SyncJobSpec withArtifacts(ArtifactPolicy artifacts) {
        return new SyncJobSpec(name, source, target, selection, mapping, artifacts, trigger, pageSize);
    }

    public SyncJobSpec withTrigger(Trigger trigger) {
        return new SyncJobSpec(name, source, target, selection, mapping, artifacts, trigger, pageSize);
    }

    public SyncJobSpec withPageSize(int pageSize) {
        return new SyncJobSpec(name, source, target, selection, mapping, artifacts, trigger, pageSize);
    }

    /** The path of one of this job's keys in {@code switchboard.yaml}, for {@link dev.switchboard.spi.ConfigProblem}s. */
    public String path(String key) {
        return "sync-jobs." + name + (key == null || key.isEmpty() ? "" : "." + key);
    }

    /**
     * Which source versions a job carries. A version is selected when its model matches one of {@code models}
     * and it passes every criterion that is not empty.
     *
     * @param models  model name globs ({@code *} any run of characters, {@code ?} one, {@code [abc]} one of a set);
     *                every model when empty
     * @param aliases only versions carrying at least one of these aliases, when not empty
     * @param stages  only versions in one of these stages, when not empty
     * @param tags    only versions carrying every one of these tags, with this value or any value for {@code "*"}
     */
    public record Selection(List<String> models, Set<String> aliases, Set<Stage> stages, Map<String, String> tags) {

        public static final Selection ALL = new Selection(List.of(), Set.of(), Set.of(), Map.of());

        public Selection {
            models = models == null ? List.of() : List.copyOf(models);
            aliases = aliases == null ? Set.of() : Set.copyOf(aliases);
            stages = stages == null ? Set.of() : Set.copyOf(stages);
            tags = sorted(tags);
        }

        public static Selection models(String... globs) {
            return new Selection(List.of(globs), null, null, null);
        }
    }

    /**
     * How fields translate from the source tool to the target tool. Tags whose key starts with
     * {@code switchboard.} are the hub's own bookkeeping and are never copied.
     *
     * @param aliasApproval   alias → approval on the target ({@code champion → APPROVED}); the first alias of a
     *                        version (in name order) that has an entry decides
     * @param stageApproval   stage → approval on the target ({@code PRODUCTION → APPROVED}), used when no alias
     *                        decided
     * @param approvalStage   approval → stage on the target, for targets with stages and sources with approval
     * @param defaultApproval the approval when no rule above matched and the source has none; {@code null} leaves
     *                        the target's approval as it is
     * @param tagRenames      source tag key → target tag key; keys without an entry keep their name
     */
    public record FieldMapping(Map<String, ApprovalStatus> aliasApproval, Map<Stage, ApprovalStatus> stageApproval,
                               Map<ApprovalStatus, Stage> approvalStage, ApprovalStatus defaultApproval,
                               Map<String, String> tagRenames) {

        public static final FieldMapping IDENTITY = new FieldMapping(null, null, null, null, null);

        public FieldMapping {
            aliasApproval = sorted(aliasApproval);
            stageApproval = stageApproval == null ? Map.of() : Map.copyOf(stageApproval);
            approvalStage = approvalStage == null ? Map.of() : Map.copyOf(approvalStage);
            tagRenames = sorted(tagRenames);
        }
    }

    /**
     * Where the target's version gets its artifact.
     *
     * @param mode   {@link Mode#REFERENCE} or {@link Mode#COPY}
     * @param copyTo for {@code COPY}: the URI prefix to copy under ({@code s3://models-prod/synced}); each version
     *               goes to {@code <copyTo>/<job>/<model>/<source version>/<file name>}
     */
    public record ArtifactPolicy(Mode mode, URI copyTo) {

        public static final ArtifactPolicy REFERENCE_SOURCE = new ArtifactPolicy(Mode.REFERENCE, null);

        /** How the target gets a version's artifact. */
        public enum Mode {
            /** The target version points at the source's URI; use when the target can read it. */
            REFERENCE,
            /** The bytes are streamed to a store under {@code copyTo} and verified by SHA-256 before the version is created. */
            COPY
        }

        public ArtifactPolicy {
            mode = mode == null ? Mode.REFERENCE : mode;
        }

        public static ArtifactPolicy copyTo(URI prefix) {
            return new ArtifactPolicy(Mode.COPY, prefix);
        }
    }

    /**
     * When a job runs by itself, besides on request.
     *
     * @param interval run every interval (an incremental run), or {@code null} for no schedule
     * @param events   canonical event types ({@code model_version.alias_set}) that, arriving in the inbox from the
     *                 job's source connection, cause an immediate incremental run
     */
    public record Trigger(Duration interval, Set<String> events) {

        public static final Trigger MANUAL = new Trigger(null, Set.of());

        public Trigger {
            events = events == null ? Set.of() : Set.copyOf(events);
        }
    }

    private static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
