package dev.switchboard.core.testing;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.Fidelity.Field;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model registry and artifact store in memory, behaving like MLflow where the port leaves room: versions are
 * numbered by the registry, {@code createVersion} stores description, tags and artifact (aliases, stage and approval
 * take their own calls), create-or-get by idempotency key, and the source ref of a copy is recorded for
 * {@link #findByExternalRef}. Every change stamps the versions it touches with a strictly increasing time (moving an
 * alias stamps both versions), so {@code listVersions(since)} sees it. Fields outside its {@link Fidelity} and tags
 * beyond its limits are refused, as the port requires.
 *
 * <p>Counts read and write calls, and can be told to fail every write after the N-th ({@link #failWritesAfter}),
 * and to return different bytes than it stored ({@link #corruptReads}). Thread-safe.
 */
public final class InMemoryRegistry implements ModelRegistry, ArtifactStore {

    public static final String SYSTEM = "in-memory";
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final String connection;
    private Fidelity fidelity;
    private int maxPageSize;
    private final Map<String, Model> models = new TreeMap<>();
    private final Map<URI, byte[]> artifacts = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger artifactWrites = new AtomicInteger();
    private long tick;
    private int failAfter = Integer.MAX_VALUE;
    private boolean applyBeforeFailing;
    private Supplier<? extends Throwable> failure;
    private boolean corruptReads;
    private java.util.function.Predicate<ModelVersion> refused;
    private String refusal;
    private int hookAfter = Integer.MAX_VALUE;
    private Runnable hook;
    private Path journal;
    private long writeDelayMillis;
    private boolean aliasesTouchVersions = true;

    /** The registry's state as saved to a journal file (artifacts are not saved). */
    record Saved(long tick, List<SavedModel> models) {
    }

    record SavedModel(String name, String description, Map<String, Integer> aliases, Map<String, Integer> byKey,
                      List<SavedVersion> versions) {
    }

    record SavedVersion(int number, String description, Map<String, String> tags, Stage stage,
                        ApprovalStatus approval, URI artifact, String externalRef, Instant createdAt,
                        Instant updatedAt) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final class Model {
        final String name;
        String description;
        final Map<String, String> tags = new TreeMap<>();
        final Map<String, Integer> aliases = new TreeMap<>();
        final Map<Integer, Version> versions = new TreeMap<>();
        final Map<String, Integer> byKey = new HashMap<>();

        Model(String name) {
            this.name = name;
        }
    }

    private static final class Version {
        final int number;
        String description;
        final Map<String, String> tags = new TreeMap<>();
        Stage stage;
        ApprovalStatus approval;
        ArtifactRef artifact;
        ResourceRef sourceRun;
        Map<String, Double> metrics = Map.of();
        Map<String, String> params = Map.of();
        String externalRef;
        Instant createdAt;
        Instant updatedAt;

        Version(int number) {
            this.number = number;
        }
    }

    InMemoryRegistry(String connection, Fidelity fidelity, int maxPageSize) {
        this.connection = connection;
        this.fidelity = fidelity;
        this.maxPageSize = maxPageSize;
    }

    synchronized InMemoryRegistry reconfigure(Fidelity fidelity, int maxPageSize) {
        this.fidelity = fidelity;
        this.maxPageSize = maxPageSize;
        return this;
    }

    // ---- test controls --------------------------------------------------------------------------------------

    public int reads() {
        return reads.get();
    }

    public int writes() {
        return writes.get();
    }

    public int artifactWrites() {
        return artifactWrites.get();
    }

    public void resetCounters() {
        reads.set(0);
        writes.set(0);
        artifactWrites.set(0);
    }

    /**
     * From the write after the {@code n}-th on, every write throws {@code failure} (an {@link Error} simulates a crash
     * of the hub, a {@link ConnectorException} a failing target). With {@code applyFirst} the write takes effect and
     * then throws, like a crash after the target acknowledged but before the hub heard it.
     */
    public synchronized void failWritesAfter(int n, boolean applyFirst, Supplier<? extends Throwable> failure) {
        this.failAfter = n;
        this.applyBeforeFailing = applyFirst;
        this.failure = failure;
        this.writes.set(0);
    }

    /**
     * Refuses to create the versions {@code which} matches with a validation error saying {@code reason}, as a
     * vendor's API answers 400 to a request it cannot accept; {@code null} accepts every version again.
     */
    public synchronized void refuseVersions(java.util.function.Predicate<ModelVersion> which, String reason) {
        this.refused = which;
        this.refusal = reason;
    }

    /** Runs {@code action} once, on the thread making it, right after the {@code n}-th write from now. */
    public synchronized void afterWrites(int n, Runnable action) {
        this.hookAfter = writes.get() + n;
        this.hook = action;
    }

    /**
     * Keeps this registry's state in {@code file}: loads it now if the file exists, and saves it (atomically) after
     * every write, so another process (a restarted hub, after its predecessor was killed) sees every acknowledged write.
     */
    public synchronized void journalTo(Path file) {
        this.journal = file;
        if (Files.exists(file)) {
            Saved saved = JSON.readValue(file.toFile(), Saved.class);
            models.clear();
            tick = saved.tick();
            for (SavedModel m : saved.models()) {
                Model model = new Model(m.name());
                model.description = m.description();
                model.aliases.putAll(m.aliases());
                model.byKey.putAll(m.byKey());
                for (SavedVersion sv : m.versions()) {
                    Version v = new Version(sv.number());
                    v.description = sv.description();
                    v.tags.putAll(sv.tags());
                    v.stage = sv.stage();
                    v.approval = sv.approval();
                    v.artifact = sv.artifact() == null ? null : ArtifactRef.of(sv.artifact());
                    v.externalRef = sv.externalRef();
                    v.createdAt = sv.createdAt();
                    v.updatedAt = sv.updatedAt();
                    model.versions.put(v.number, v);
                }
                models.put(model.name, model);
            }
        }
    }

    /** How many versions the journal in {@code file} holds (0 when there is none yet). */
    public static int journaledVersions(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        return JSON.readValue(file.toFile(), Saved.class).models().stream().mapToInt(m -> m.versions().size()).sum();
    }

    /** Whether moving an alias stamps the versions it leaves and reaches (MLflow's does not). */
    public synchronized void aliasesTouchVersions(boolean touch) {
        this.aliasesTouchVersions = touch;
    }

    /** Makes every write take at least this long, so a test can kill a process in the middle of a run. */
    public synchronized void slowWrites(long millis) {
        this.writeDelayMillis = millis;
    }

    private void save() {
        List<SavedModel> saved = models.values().stream().map(m -> new SavedModel(m.name, m.description,
                m.aliases, m.byKey, m.versions.values().stream().map(v -> new SavedVersion(v.number, v.description,
                        v.tags, v.stage, v.approval, v.artifact == null ? null : v.artifact.uri(), v.externalRef,
                        v.createdAt, v.updatedAt)).toList())).toList();
        try {
            Path temporary = journal.resolveSibling(journal.getFileName() + ".tmp");
            JSON.writeValue(temporary.toFile(), new Saved(tick, saved));
            Files.move(temporary, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops failing writes. */
    public synchronized void heal() {
        failAfter = Integer.MAX_VALUE;
        failure = null;
    }

    /** Whether {@link #open} returns different bytes than were stored (a corrupted transfer). */
    public synchronized void corruptReads(boolean corrupt) {
        this.corruptReads = corrupt;
    }

    /** Stores an artifact directly (no counting), for seeding a source. */
    public synchronized void putArtifact(URI uri, byte[] content) {
        artifacts.put(uri, content.clone());
    }

    public synchronized boolean hasArtifact(URI uri) {
        return artifacts.containsKey(uri);
    }

    /** Every version, without paging or counting a read. */
    public synchronized List<ModelVersion> allVersions() {
        return models.values().stream().flatMap(m -> m.versions.values().stream().map(v -> toCanonical(m, v))).toList();
    }

    public synchronized int versionCount() {
        return models.values().stream().mapToInt(m -> m.versions.size()).sum();
    }

    /** How many versions were made from {@code source} (it must be at most one). */
    public synchronized long copiesOf(ResourceRef source) {
        return models.values().stream().flatMap(m -> m.versions.values().stream())
                .filter(v -> source.key().equals(v.externalRef)).count();
    }

    /**
     * Every version's state, by the source it was copied from (or its own number), without this registry's version
     * numbers and times: two registries synced from the same source have equal snapshots.
     */
    public synchronized List<String> snapshot() {
        List<String> lines = new ArrayList<>();
        for (Model model : models.values()) {
            for (Version v : model.versions.values()) {
                lines.add(model.name + " from=" + (v.externalRef == null ? "#" + v.number : v.externalRef)
                        + " description=" + v.description + " tags=" + v.tags + " aliases=" + aliasesOf(model, v)
                        + " stage=" + v.stage + " approval=" + v.approval
                        + " artifact=" + (v.artifact == null ? null : v.artifact.uri()));
            }
        }
        lines.sort(Comparator.naturalOrder());
        return lines;
    }

    // ---- reads ----------------------------------------------------------------------------------------------

    @Override
    public synchronized Page<RegisteredModel> listModels(PageRequest page) {
        reads.incrementAndGet();
        return paged(models.values().stream().map(this::toCanonical).toList(), page);
    }

    @Override
    public synchronized Optional<RegisteredModel> getModel(String name) {
        reads.incrementAndGet();
        return Optional.ofNullable(models.get(name)).map(this::toCanonical);
    }

    @Override
    public synchronized Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page) {
        reads.incrementAndGet();
        Stream<Model> scope = modelName == null ? models.values().stream()
                : Stream.ofNullable(models.get(modelName));
        List<ModelVersion> all = scope
                .flatMap(m -> m.versions.values().stream()
                        .filter(v -> since == null || !v.updatedAt.isBefore(since))
                        .map(v -> toCanonical(m, v)))
                .sorted(Comparator.comparing(ModelVersion::updatedAt).thenComparing(ModelVersion::modelName)
                        .thenComparing(ModelVersion::version))
                .toList();
        return paged(all, page);
    }

    @Override
    public synchronized Optional<ModelVersion> getVersion(String modelName, String version) {
        reads.incrementAndGet();
        return find(modelName, version).map(v -> toCanonical(models.get(modelName), v));
    }

    @Override
    public synchronized Optional<ModelVersion> getVersionByAlias(String modelName, String alias) {
        reads.incrementAndGet();
        Model model = models.get(modelName);
        return Optional.ofNullable(model).map(m -> m.aliases.get(alias)).map(n -> toCanonical(model, model.versions.get(n)));
    }

    @Override
    public synchronized Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source) {
        reads.incrementAndGet();
        Model model = models.get(modelName);
        if (model == null) {
            return Optional.empty();
        }
        Integer byKey = model.byKey.get(source.key());
        return model.versions.values().stream()
                .filter(v -> source.key().equals(v.externalRef) || Integer.valueOf(v.number).equals(byKey))
                .findFirst().map(v -> toCanonical(model, v));
    }

    // ---- writes ---------------------------------------------------------------------------------------------

    @Override
    public synchronized RegisteredModel createModel(RegisteredModel model, String idempotencyKey) {
        return write(() -> {
            Model existing = models.computeIfAbsent(model.name(), Model::new);
            if (existing.versions.isEmpty() && existing.description == null && supports(Field.DESCRIPTION)) {
                existing.description = model.description();
            }
            return toCanonical(existing);
        });
    }

    @Override
    public synchronized ModelVersion createVersion(ModelVersion version, String idempotencyKey) {
        return write(() -> {
            if (idempotencyKey == null || idempotencyKey.isBlank()) {
                throw ConnectorException.configuration(connection, "createVersion needs an idempotency key");
            }
            Model model = models.computeIfAbsent(version.modelName(), Model::new);
            Integer earlier = model.byKey.get(idempotencyKey);
            if (earlier != null) {
                return toCanonical(model, model.versions.get(earlier));
            }
            if (refused != null && refused.test(version)) {
                throw ConnectorException.configuration(connection, refusal);
            }
            checkTags(version.tags());
            Version created = new Version(model.versions.size() + 1);
            created.description = supports(Field.DESCRIPTION) ? version.description() : null;
            created.tags.putAll(version.tags());
            created.artifact = supports(Field.ARTIFACT) ? version.artifact() : null;
            created.sourceRun = supports(Field.SOURCE_RUN) ? version.sourceRun() : null;
            created.metrics = supports(Field.METRICS) ? version.metrics() : Map.of();
            created.params = supports(Field.PARAMS) ? version.params() : Map.of();
            created.approval = supports(Field.APPROVAL) ? version.approval() : null;
            created.externalRef = version.ref().connection().equals(connection) ? null : version.ref().key();
            created.createdAt = now();
            created.updatedAt = created.createdAt;
            model.versions.put(created.number, created);
            model.byKey.put(idempotencyKey, created.number);
            return toCanonical(model, created);
        });
    }

    @Override
    public synchronized ModelVersion updateDescription(String modelName, String version, String description) {
        return write(() -> {
            require(Field.DESCRIPTION);
            Version v = existing(modelName, version);
            v.description = description;
            return touch(modelName, v);
        });
    }

    @Override
    public synchronized void setAlias(String modelName, String alias, String version) {
        write(() -> {
            require(Field.ALIASES);
            Version v = existing(modelName, version);
            Model model = models.get(modelName);
            Integer previous = model.aliases.put(alias, v.number);
            if (!aliasesTouchVersions) {
                return toCanonical(model, v);
            }
            if (previous != null && previous != v.number) {
                model.versions.get(previous).updatedAt = now();
            }
            return touch(modelName, v);
        });
    }

    @Override
    public synchronized void deleteAlias(String modelName, String alias) {
        write(() -> {
            require(Field.ALIASES);
            Model model = models.get(modelName);
            Integer previous = model == null ? null : model.aliases.remove(alias);
            if (previous != null && aliasesTouchVersions) {
                model.versions.get(previous).updatedAt = now();
            }
            return null;
        });
    }

    @Override
    public synchronized ModelVersion transitionStage(String modelName, String version, Stage stage) {
        return write(() -> {
            require(Field.STAGE);
            Version v = existing(modelName, version);
            v.stage = stage;
            return touch(modelName, v);
        });
    }

    @Override
    public synchronized ModelVersion setApproval(String modelName, String version, ApprovalStatus status) {
        return write(() -> {
            require(Field.APPROVAL);
            Version v = existing(modelName, version);
            v.approval = status;
            return touch(modelName, v);
        });
    }

    @Override
    public synchronized void setModelTag(String modelName, String key, String value) {
        write(() -> {
            require(Field.TAGS);
            Model model = Optional.ofNullable(models.get(modelName)).orElseThrow(() ->
                    ConnectorException.configuration(connection, "no model " + modelName));
            model.tags.put(key, value);
            return null;
        });
    }

    @Override
    public synchronized void setVersionTag(String modelName, String version, String key, String value) {
        write(() -> {
            require(Field.TAGS);
            Version v = existing(modelName, version);
            Map<String, String> after = new TreeMap<>(v.tags);
            after.put(key, value);
            checkTags(after);
            v.tags.put(key, value);
            return touch(modelName, v);
        });
    }

    @Override
    public synchronized void deleteVersionTag(String modelName, String version, String key) {
        write(() -> {
            require(Field.TAGS);
            Version v = existing(modelName, version);
            v.tags.remove(key);
            return touch(modelName, v);
        });
    }

    // ---- artifact store -------------------------------------------------------------------------------------

    @Override
    public boolean serves(URI uri) {
        return "mem".equals(uri.getScheme()) && connection.equals(uri.getHost());
    }

    @Override
    public synchronized Optional<ArtifactRef> stat(URI uri) {
        return Optional.ofNullable(artifacts.get(uri))
                .map(bytes -> new ArtifactRef(uri, (long) bytes.length, sha256(bytes), "application/octet-stream"));
    }

    @Override
    public synchronized InputStream open(URI uri) {
        byte[] bytes = artifacts.get(uri);
        if (bytes == null) {
            throw ConnectorException.configuration(connection, "no artifact at " + uri);
        }
        byte[] served = bytes.clone();
        if (corruptReads && served.length > 0) {
            served[served.length / 2] ^= 0x5a;
        }
        return new ByteArrayInputStream(served);
    }

    @Override
    public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
        artifactWrites.incrementAndGet();
        byte[] bytes;
        try {
            bytes = content.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Digest actual = sha256(bytes);
        if (expected != null && !expected.equals(actual)) {
            throw ConnectorException.configuration(connection, "content written to " + uri + " has SHA-256 "
                    + actual.value() + ", expected " + expected.value() + "; nothing was stored");
        }
        synchronized (this) {
            artifacts.put(uri, bytes);
        }
        return new ArtifactRef(uri, (long) bytes.length, actual, "application/octet-stream");
    }

    // ---- internals ------------------------------------------------------------------------------------------

    private <T> T write(Supplier<T> change) {
        int number = writes.incrementAndGet();
        if (number > failAfter && failure != null) {
            if (applyBeforeFailing) {
                change.get();
            }
            throw sneaky(failure.get());
        }
        if (writeDelayMillis > 0) {
            try {
                Thread.sleep(writeDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        T result = change.get();
        if (journal != null) {
            save();
        }
        if (number == hookAfter && hook != null) {
            hook.run();
        }
        return result;
    }

    private static RuntimeException sneaky(Throwable failure) {
        if (failure instanceof Error error) {
            throw error;
        }
        return (RuntimeException) failure;
    }

    private boolean supports(Field field) {
        return fidelity.supports(field);
    }

    private void require(Field field) {
        if (!supports(field)) {
            throw ConnectorException.configuration(connection, connection + " cannot hold " + field);
        }
    }

    private void checkTags(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        require(Field.TAGS);
        if (tags.size() > fidelity.maxTags()) {
            throw ConnectorException.configuration(connection, "at most " + fidelity.maxTags() + " tags, got "
                    + tags.size());
        }
        tags.forEach((key, value) -> {
            if (value.length() > fidelity.maxTagValueLength()) {
                throw ConnectorException.configuration(connection, "tag " + key + " is longer than "
                        + fidelity.maxTagValueLength() + " characters");
            }
        });
    }

    private Optional<Version> find(String modelName, String version) {
        Model model = models.get(modelName);
        if (model == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(model.versions.get(Integer.parseInt(version)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Version existing(String modelName, String version) {
        return find(modelName, version).orElseThrow(() -> ConnectorException.configuration(connection,
                "no version " + version + " of model " + modelName));
    }

    private ModelVersion touch(String modelName, Version v) {
        v.updatedAt = now();
        return toCanonical(models.get(modelName), v);
    }

    private Instant now() {
        return EPOCH.plusSeconds(++tick);
    }

    private Set<String> aliasesOf(Model model, Version v) {
        Set<String> aliases = new TreeSet<>();
        model.aliases.forEach((alias, number) -> {
            if (number == v.number) {
                aliases.add(alias);
            }
        });
        return aliases;
    }

    private RegisteredModel toCanonical(Model model) {
        Map<String, String> aliases = new LinkedHashMap<>();
        model.aliases.forEach((alias, number) -> aliases.put(alias, String.valueOf(number)));
        return new RegisteredModel(ResourceRef.of(SYSTEM, connection, "registered_model", model.name), model.name,
                model.description, model.tags, aliases, null, null);
    }

    private ModelVersion toCanonical(Model model, Version v) {
        return new ModelVersion(ResourceRef.of(SYSTEM, connection, "model_version", model.name + "/" + v.number),
                model.name, String.valueOf(v.number), v.description, v.sourceRun, v.artifact, aliasesOf(model, v),
                supports(Field.STAGE) ? v.stage : null, supports(Field.APPROVAL) ? v.approval : null, v.tags,
                v.metrics, v.params, v.createdAt, v.updatedAt);
    }

    private <T> Page<T> paged(List<T> all, PageRequest page) {
        int offset = page.pageToken() == null ? 0 : Integer.parseInt(page.pageToken());
        int size = Math.min(page.pageSize(), maxPageSize);
        int end = Math.min(all.size(), offset + size);
        return new Page<>(all.subList(offset, end), end < all.size() ? String.valueOf(end) : null);
    }

    private static Digest sha256(byte[] bytes) {
        try {
            return Digest.sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
