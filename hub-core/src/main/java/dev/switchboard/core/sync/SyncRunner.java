package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.store.IdentityMap;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.Fidelity.Field;
import dev.switchboard.spi.IdempotencyKey;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One run of one sync job: reads the source since the cursor, decides per version, and (when applying) writes. */
final class SyncRunner {

    /** The two ends of a job, resolved from the connection registry. */
    record Ends(ModelRegistry source, String sourceConnection, ModelRegistry target, String targetConnection,
                Fidelity targetFidelity, ArtifactCopier artifacts) {
    }

    /** One write to the target, described for the run's report before it is made. */
    private record Write(String what, Runnable action) {
    }

    /**
     * Who runs the run: the run's row is held by {@code instance} for {@code lease} (the service's heartbeat renews
     * it); {@code lost} turns true when the job's lease was taken over, {@code stopped} when whoever started the run
     * wants it to end (a configuration reload, a shutdown): the run then stops at the next object, ABORTED.
     */
    record Holder(InstanceId instance, Duration lease, BooleanSupplier lost, BooleanSupplier stopped) {
    }

    /** Thrown between objects when the running thread was interrupted. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted", null, false, false);
        }
    }

    /** Thrown between objects when another instance took the job's lease over. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }

    /** Thrown between objects when the run was asked to stop ({@link Holder#stopped}). */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /** The connection name the engine's own errors carry (a model gone from the source, a copy's own checks). */
    private static final String HUB = "sync";

    /** The identity map's fingerprint column holds 128 characters; a longer alias list is simply swept every run. */
    private static final int MAX_ALIAS_PRINT = 128;

    private final SyncJobSpec job;
    private final SyncRun.Mode mode;
    private final boolean full;
    private final Store store;
    private final SyncRunStore runs;
    private final Ends ends;
    private final Clock clock;
    private final Holder holder;
    private final SelectionFilter selection;
    private final VersionMapper mapper;
    private final IdentityMap identityMap;
    private final Set<String> seen = new HashSet<>();
    private final Set<String> ensuredModels = new HashSet<>();
    // Models this run created at the target: none of their versions can be there from before, so the per-version
    // lookup by external reference is skipped (the idempotency key still guards creates against a concurrent run).
    private final Set<String> createdModels = new HashSet<>();
    private final List<SyncOutcome> outcomes = new ArrayList<>();
    private final List<SyncOutcome> unrecorded = new ArrayList<>();
    private Instant newestSeen;
    private Instant oldestFailed;
    private boolean failedWithoutTime;
    private final Set<String> failedModels = new HashSet<>();
    /** Where each unrecorded FAILED object came from and who refused it: its dead letter (applied runs only). */
    private final Map<String, SyncRunStore.Failure> failures = new HashMap<>();
    /** Who refused an object, when not the target (a store an artifact copy could not use), by object key. */
    private final Map<String, String> refusedBy = new HashMap<>();
    /** The one object a replay of its dead letter runs for, or null for a run over the job's source. */
    private final DeadLetter.SyncObject only;

    /**
     * @param only the one object to run for (replaying its dead letter): no other object is read, the sweeps are
     *             skipped and the cursor does not move; null for a run over the source
     */
    SyncRunner(SyncJobSpec job, SyncRun.Mode mode, boolean full, Store store, SyncRunStore runs, Ends ends,
               Holder holder, DeadLetter.SyncObject only, Clock clock) {
        this.only = only;
        this.job = job;
        this.mode = mode;
        this.full = full;
        this.store = store;
        this.runs = runs;
        this.ends = ends;
        this.clock = clock;
        this.holder = holder;
        this.selection = new SelectionFilter(job.selection());
        this.mapper = new VersionMapper(job, ends.targetFidelity(), ends.artifacts());
        this.identityMap = store.identityMap();
    }

    /** The run, once {@link #begin} recorded it. */
    private SyncRun begun;
    /** Versions listed by the main pass (the sweeps report only writes beyond them): the progress's total. */
    private long listedTotal;

    static String cursorName(String job) {
        return "sync:" + job;
    }

    /** Records the run as RUNNING (once), so it can be looked up before {@link #run} gets going. */
    SyncRun begin() {
        if (begun == null) {
            begun = new SyncRun(UUID.randomUUID().toString(), job.name(), mode, SyncRun.Status.RUNNING, now(), null,
                    0, 0, 0, 0, 0, null);
            runs.start(begun, holder.instance(), begun.startedAt().plus(holder.lease()));
        }
        return begun;
    }

    SyncReport run() {
        SyncRun run = begin();
        Optional<String> cursor = store.cursors().get(cursorName(job.name()));
        Instant since = full ? null : cursor.map(Instant::parse).orElse(null);
        String error = null;
        boolean completed = false;
        try {
            if (only != null) {
                processOnly(run.id());
            } else {
                processPages(request -> ends.source().listVersions(null, since, request), run.id());
                sweepTags(since == null, run.id());
                sweepAliases(run.id(), since == null);
            }
            completed = true;
        } catch (Interrupted e) {
            error = "interrupted after " + outcomes.size() + " objects; the next run resumes";
            Thread.currentThread().interrupt();
        } catch (LeaseLost e) {
            error = "stopped after " + outcomes.size() + " objects: this instance's lease on the job ran out and "
                    + "another instance took the job over";
        } catch (Stopped e) {
            error = "stopped after " + outcomes.size() + " objects, as the hub was reloaded or shut down; the next "
                    + "run goes on from the cursor";
        } catch (ConnectorException e) {
            error = "reading the source failed after " + outcomes.size() + " objects: " + e.getMessage();
        } finally {
            if (!completed && error == null) {
                // An Error (or a bug) is on its way up: record what is known, best effort, and let it pass.
                finishQuietly(run);
            }
        }
        SyncRun done = summary(run, error);
        store.transactions().executeWithoutResult(status -> {
            flush(run.id());
            runs.finish(done);
            if (mode == SyncRun.Mode.APPLY && done.status() != SyncRun.Status.ABORTED && only == null) {
                nextCursor().ifPresent(next -> store.cursors().save(cursorName(job.name()), next.toString()));
            }
        });
        return new SyncReport(done, outcomes);
    }

    /**
     * Lists every page of versions, then gives each version not seen yet in this run its outcome, <b>oldest
     * first</b> (creation time, then model, then version number): sources list newest first, and creating in that
     * order would number the target's versions in reverse. Versions are decided in batches of the job's page size,
     * with one identity-map query per batch.
     */
    private void processPages(Function<PageRequest, Page<ModelVersion>> lister, String runId) {
        processPages(lister, runId, false);
    }

    /** @param sweep whether this is a re-read of the whole source: then only versions that need a write are reported */
    private void processPages(Function<PageRequest, Page<ModelVersion>> lister, String runId, boolean sweep) {
        List<ModelVersion> listed = new ArrayList<>();
        PageRequest request = PageRequest.first(job.pageSize());
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new Interrupted();
            }
            Page<ModelVersion> page = lister.apply(request);
            page.items().stream().filter(version -> seen.add(version.ref().key())).forEach(listed::add);
            if (page.next().isEmpty()) {
                break;
            }
            request = request.next(page);
        }
        listed.sort(OLDEST_FIRST);
        listedTotal += sweep ? 0 : listed.size();
        for (int from = 0; from < listed.size(); from += job.pageSize()) {
            List<ModelVersion> batch = listed.subList(from, Math.min(from + job.pageSize(), listed.size()));
            List<ResourceRef> refs = batch.stream().map(ModelVersion::ref).toList();
            // One query each per batch, not per object: what is linked already, and what is itself a copy.
            Map<String, IdentityMap.Link> links = identityMap.findAll(refs, ends.targetConnection());
            Map<String, IdentityMap.Link> copies = identityMap.findByTargets(ends.sourceConnection(),
                    refs.stream().map(ResourceRef::nativeId).toList());
            for (ModelVersion version : batch) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new Interrupted();
                }
                if (holder.lost().getAsBoolean()) {
                    throw new LeaseLost();
                }
                if (holder.stopped().getAsBoolean()) {
                    throw new Stopped();
                }
                SyncOutcome outcome = process(version, Optional.ofNullable(links.get(version.ref().key())),
                        Optional.ofNullable(copies.get(version.ref().nativeId()))
                                .filter(copy -> copy.targetKind().equals(version.ref().kind()))
                                .map(IdentityMap.Link::sourceKey));
                if (!sweep || outcome.kind() != SyncOutcome.Kind.UNCHANGED && outcome.kind() != SyncOutcome.Kind.SKIPPED) {
                    note(version, outcome);
                }
            }
            flush(runId);
        }
    }

    /** Reads the one object again from the source and gives it its outcome; FAILED when the source lost it. */
    private void processOnly(String runId) {
        Optional<ModelVersion> version = ends.source().getVersion(only.model(), only.version());
        if (version.isPresent()) {
            processPages(request -> Page.last(List.of(version.get())), runId);
            return;
        }
        SyncOutcome gone = new SyncOutcome(only.objectKey(), SyncOutcome.Kind.FAILED, "version " + only.version()
                + " of model " + only.model() + " is no longer at the source " + ends.sourceConnection(), List.of());
        outcomes.add(gone);
        unrecorded.add(gone);
        failures.put(gone.objectKey(), new SyncRunStore.Failure(only.model(), only.version(), ends.sourceConnection()));
        flush(runId);
    }

    /** Creation time (unknown last), then model name, then version: numerically when both are numbers. */
    private static final java.util.Comparator<ModelVersion> OLDEST_FIRST = java.util.Comparator
            .comparing(ModelVersion::createdAt, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(ModelVersion::modelName)
            .thenComparing(ModelVersion::version, java.util.Comparator.nullsLast(SyncRunner::compareVersions));

    private static int compareVersions(String a, String b) {
        if (a.matches("\\d{1,18}") && b.matches("\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    /**
     * Catches tag changes an incremental listing cannot see: MLflow (2.12 and 3.6 alike) sets and deletes a version's
     * tags and aliases without moving its {@code last_updated_timestamp}, so listing "changed since the cursor" misses
     * them. When the source says so ({@link dev.switchboard.spi.ModelRegistry#listsTagChangesSince}) and tags reach
     * the target or decide the selection, an incremental run therefore also reads the whole source listing once more. Its cost is source reads only: one listing call per page of versions (plus what the
     * connector needs per page, MLflow one {@code registered-models/get} per model on the page for aliases); a version
     * whose fingerprint still matches its link costs no target call, so an unchanged registry is read, never written.
     * Versions the sweep finds unchanged or not selected are not reported (the run's report lists what changed).
     */
    private void sweepTags(boolean allListed, String runId) {
        boolean tagsMatter = ends.targetFidelity().supports(Field.TAGS) || !job.selection().tags().isEmpty();
        if (!allListed && tagsMatter && !ends.source().listsTagChangesSince()) {
            processPages(request -> ends.source().listVersions(null, null, request), runId, true);
        }
    }

    /**
     * Catches alias moves the version listing cannot see: MLflow moves an alias without touching either version's
     * update time. Each selected model's aliases are fingerprinted in the identity map (as the model's link); a model
     * whose aliases changed since has its versions looked at again, which costs no target call for a version whose
     * own fingerprint still matches.
     *
     * @param allListed whether this run listed every version already (then only the fingerprints are recorded)
     */
    private void sweepAliases(String runId, boolean allListed) {
        boolean aliasesMatter = ends.targetFidelity().supports(Field.ALIASES)
                || !job.mapping().aliasApproval().isEmpty() || !job.selection().aliases().isEmpty();
        if (!aliasesMatter) {
            return;
        }
        PageRequest request = PageRequest.first(job.pageSize());
        while (true) {
            Page<RegisteredModel> page = ends.source().listModels(request);
            List<RegisteredModel> models = page.items().stream().filter(m -> selection.selectsModel(m.name())).toList();
            Map<String, IdentityMap.Link> links = identityMap.findAll(models.stream().map(RegisteredModel::ref)
                    .toList(), ends.targetConnection());
            for (RegisteredModel model : models) {
                String aliases = new java.util.TreeMap<>(model.aliases()).toString();
                IdentityMap.Link link = links.get(model.ref().key());
                if (link != null && aliases.equals(link.fingerprint())) {
                    continue;
                }
                if (!allListed) {
                    processPages(versions -> ends.source().listVersions(model.name(), null, versions), runId);
                }
                if (mode == SyncRun.Mode.APPLY && !failedModels.contains(model.name())
                        && aliases.length() <= MAX_ALIAS_PRINT) {
                    ends.target().getModel(model.name())
                            .ifPresent(target -> identityMap.link(model.ref(), target.ref(), aliases));
                }
            }
            if (page.next().isEmpty()) {
                return;
            }
            request = request.next(page);
        }
    }

    private SyncRun summary(SyncRun run, String error) {
        Map<SyncOutcome.Kind, Long> counts = outcomes.stream()
                .collect(Collectors.groupingBy(SyncOutcome::kind, Collectors.counting()));
        long failed = counts.getOrDefault(SyncOutcome.Kind.FAILED, 0L);
        SyncRun.Status status = error != null ? SyncRun.Status.ABORTED
                : failed > 0 ? SyncRun.Status.COMPLETED_WITH_FAILURES : SyncRun.Status.COMPLETED;
        return new SyncRun(run.id(), run.job(), run.mode(), status, run.startedAt(), now(),
                counts.getOrDefault(SyncOutcome.Kind.CREATED, 0L), counts.getOrDefault(SyncOutcome.Kind.UPDATED, 0L),
                counts.getOrDefault(SyncOutcome.Kind.UNCHANGED, 0L), counts.getOrDefault(SyncOutcome.Kind.SKIPPED, 0L),
                failed, error);
    }

    private void finishQuietly(SyncRun run) {
        try {
            flush(run.id());
            runs.finish(summary(run, "stopped by an unexpected error; the next run resumes"));
        } catch (RuntimeException ignored) {
            // the store may be what failed; the next run of the job marks this one ABORTED
        }
    }

    private void flush(String runId) {
        runs.record(runId, unrecorded, mode == SyncRun.Mode.APPLY
                ? new SyncRunStore.Filing(job.name(), Map.copyOf(failures), now()) : null);
        unrecorded.clear();
        failures.clear();
        runs.progress(runId, outcomes.size(), Math.max(listedTotal, outcomes.size()));
    }

    private void note(ModelVersion version, SyncOutcome outcome) {
        outcomes.add(outcome);
        unrecorded.add(outcome);
        Instant updated = version.updatedAt();
        if (outcome.kind() == SyncOutcome.Kind.FAILED) {
            failures.put(outcome.objectKey(), new SyncRunStore.Failure(version.modelName(), version.version(),
                    refusedBy.getOrDefault(outcome.objectKey(), ends.targetConnection())));
            failedModels.add(version.modelName());
            if (updated == null) {
                failedWithoutTime = true;
            } else if (oldestFailed == null || updated.isBefore(oldestFailed)) {
                oldestFailed = updated;
            }
        }
        if (updated != null && (newestSeen == null || updated.isAfter(newestSeen))) {
            newestSeen = updated;
        }
    }

    /**
     * Where the next incremental run starts: after everything this run carried, but not after a version that failed
     * (listing is inclusive of the cursor, so the failed version is read again and retried).
     */
    private Optional<Instant> nextCursor() {
        if (failedWithoutTime) {
            return Optional.empty();
        }
        return Optional.ofNullable(oldestFailed != null ? oldestFailed : newestSeen);
    }

    private SyncOutcome process(ModelVersion version, Optional<IdentityMap.Link> link, Optional<String> original) {
        String key = version.ref().key();
        VersionMapper.Mapped mapped = null;
        try {
            Optional<String> rejected = selection.rejects(version);
            if (rejected.isPresent()) {
                return new SyncOutcome(key, SyncOutcome.Kind.SKIPPED, rejected.get(), List.of());
            }
            if (original.isPresent()) {
                return new SyncOutcome(key, SyncOutcome.Kind.SKIPPED, "a copy of " + original.get()
                        + " made by a sync job; copies are not synced back", List.of());
            }
            mapped = mapper.map(version);
            String fingerprint = mapped.state().fingerprint();
            if (link.isPresent() && fingerprint.equals(link.get().fingerprint())) {
                return new SyncOutcome(key, SyncOutcome.Kind.UNCHANGED, null, mapped.gaps());
            }
            Optional<ModelVersion> existing = createdModels.contains(version.modelName()) ? Optional.empty()
                    : ends.target().findByExternalRef(version.modelName(), version.ref());
            if (existing.isPresent()) {
                return update(version, existing.get(), mapped, fingerprint, link.isPresent());
            }
            return create(version, mapped, fingerprint);
        } catch (ConnectorException e) {
            // Filed under the connection whose call failed, as delivery dead letters are: the target unless the
            // error names another (the source, or the store of an artifact copy); "sync" names the hub itself.
            if (e.connection() != null && !e.connection().equals(HUB)) {
                refusedBy.put(key, e.connection());
            }
            // the fidelity report is kept: it often says why the target refused (a field it cannot hold)
            return new SyncOutcome(key, SyncOutcome.Kind.FAILED, e.getMessage(),
                    mapped == null ? List.of() : mapped.gaps());
        } catch (RuntimeException e) {
            return new SyncOutcome(key, SyncOutcome.Kind.FAILED, "unexpected " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), mapped == null ? List.of() : mapped.gaps());
        }
    }

    private SyncOutcome update(ModelVersion version, ModelVersion existing, VersionMapper.Mapped mapped,
                               String fingerprint, boolean linked) {
        List<Write> writes = differences(existing, mapped.state());
        if (mode == SyncRun.Mode.APPLY) {
            writes.forEach(write -> write.action().run());
            identityMap.link(version.ref(), existing.ref(), fingerprint);
        }
        if (writes.isEmpty()) {
            return new SyncOutcome(version.ref().key(), SyncOutcome.Kind.UNCHANGED,
                    linked ? null : "already at the target as " + existing.ref().key(), mapped.gaps());
        }
        return new SyncOutcome(version.ref().key(), SyncOutcome.Kind.UPDATED, describe(writes), mapped.gaps());
    }

    private SyncOutcome create(ModelVersion version, VersionMapper.Mapped mapped, String fingerprint) {
        TargetState want = mapped.state();
        boolean copy = ArtifactCopier.needsCopy(job, version, want.artifact());
        String key = version.ref().key();
        Fidelity fidelity = ends.targetFidelity();
        // What apply would meet, known without a call: a store missing for the copy, a target that refuses. Checked
        // before the copy, so a version that cannot be created leaves no orphaned copy behind.
        Optional<String> refused = (copy ? ends.artifacts().refusesCopy(version.artifact(), want.artifact(),
                version.ref().connection()) : Optional.<String>empty())
                .or(() -> ends.target().refusesCreate(request(version, want, want.artifact(), fidelity)));
        if (refused.isPresent()) {
            return new SyncOutcome(key, SyncOutcome.Kind.FAILED, (mode == SyncRun.Mode.PLAN ? "would fail: " : "")
                    + refused.get(), mapped.gaps());
        }
        if (mode == SyncRun.Mode.PLAN) {
            return new SyncOutcome(key, SyncOutcome.Kind.CREATED, copy ? "would copy the artifact to "
                    + want.artifact().uri() + " and create the version" : "would create the version", mapped.gaps());
        }
        // The copy is verified before the version exists, so a bad transfer never leaves a half-made version.
        ArtifactRef artifact = copy ? ends.artifacts().copy(version.artifact(), want.artifact(),
                version.ref().connection()) : want.artifact();
        ensureModel(version.modelName());
        ModelVersion request = request(version, want, artifact, fidelity);
        ModelVersion created = ends.target().createVersion(request, idempotencyKey(key));
        List<Write> writes = differences(created, want);
        writes.forEach(write -> write.action().run());
        identityMap.link(version.ref(), created.ref(), fingerprint);
        return new SyncOutcome(key, SyncOutcome.Kind.CREATED, "created " + created.ref().key()
                + (copy ? " with a verified copy of the artifact at " + artifact.uri() : ""), mapped.gaps());
    }

    /** The version to create at the target: the wanted state, with what the target's fidelity holds. */
    private static ModelVersion request(ModelVersion version, TargetState want, ArtifactRef artifact, Fidelity fidelity) {
        return new ModelVersion(version.ref(), version.modelName(), version.version(),
                want.description(), fidelity.supports(Field.SOURCE_RUN) ? version.sourceRun() : null, artifact,
                want.aliases(), want.stage(), want.approval(), want.tags(),
                fidelity.supports(Field.METRICS) ? version.metrics() : null,
                fidelity.supports(Field.PARAMS) ? version.params() : null, version.createdAt(), version.updatedAt());
    }

    private void ensureModel(String name) {
        if (!ensuredModels.add(name) || ends.target().getModel(name).isPresent()) {
            return;
        }
        Optional<RegisteredModel> source = ends.source().getModel(name);
        String description = ends.targetFidelity().supports(Field.DESCRIPTION)
                ? source.map(RegisteredModel::description).orElse(null) : null;
        ends.target().createModel(new RegisteredModel(source.map(RegisteredModel::ref).orElseThrow(() ->
                ConnectorException.configuration("sync", "model " + name + " is no longer at the source")), name,
                description, Map.of(), Map.of(), null, null), idempotencyKey("model:" + name));
        createdModels.add(name);
    }

    /** The writes that bring {@code actual} to {@code want}; fields the target cannot hold are left alone. */
    private List<Write> differences(ModelVersion actual, TargetState want) {
        ModelRegistry target = ends.target();
        Fidelity fidelity = ends.targetFidelity();
        String model = actual.modelName();
        String version = actual.version();
        List<Write> writes = new ArrayList<>();
        if (fidelity.supports(Field.DESCRIPTION)
                && !Objects.equals(orEmpty(actual.description()), orEmpty(want.description()))) {
            writes.add(new Write("description", () -> target.updateDescription(model, version, want.description())));
        }
        if (fidelity.supports(Field.TAGS)) {
            want.tags().forEach((tag, value) -> {
                if (!value.equals(actual.tags().get(tag))) {
                    writes.add(new Write("tag " + tag, () -> target.setVersionTag(model, version, tag, value)));
                }
            });
            actual.tags().keySet().stream().sorted()
                    .filter(tag -> !tag.startsWith(VersionMapper.RESERVED_TAG_PREFIX) && !want.tags().containsKey(tag))
                    .forEach(tag -> writes.add(new Write("tag " + tag + " removed",
                            () -> target.deleteVersionTag(model, version, tag))));
        }
        if (want.aliases() != null) {
            want.aliases().stream().filter(alias -> !actual.aliases().contains(alias)).sorted()
                    .forEach(alias -> writes.add(new Write("alias " + alias,
                            () -> target.setAlias(model, alias, version))));
            actual.aliases().stream().filter(alias -> !want.aliases().contains(alias)).sorted()
                    .forEach(alias -> writes.add(new Write("alias " + alias + " removed",
                            () -> target.deleteAlias(model, alias))));
        }
        if (want.stage() != null && want.stage() != actual.stage()) {
            writes.add(new Write("stage " + want.stage(), () -> target.transitionStage(model, version, want.stage())));
        }
        if (want.approval() != null && want.approval() != actual.approval()) {
            writes.add(new Write("approval " + want.approval(),
                    () -> target.setApproval(model, version, want.approval())));
        }
        return writes;
    }

    private String describe(List<Write> writes) {
        return (mode == SyncRun.Mode.PLAN ? "would change " : "changed ")
                + writes.stream().map(Write::what).collect(Collectors.joining(", "));
    }

    /** Stable across re-runs, retries and restarts of this job for this source object, and distinct between jobs. */
    private String idempotencyKey(String sourceKey) {
        return IdempotencyKey.of(job.name(), sourceKey);
    }

    /** Databases keep microseconds; a report must equal the run read back. */
    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
