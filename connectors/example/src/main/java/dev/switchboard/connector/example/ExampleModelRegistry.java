package dev.switchboard.connector.example;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * An in-memory {@link ModelRegistry}. Every method is {@code synchronized}: a connection is shared by many
 * threads. Records are immutable, so an update replaces the stored record.
 */
final class ExampleModelRegistry implements ModelRegistry {

    private final String connection;
    private final int maxPageSize;
    private final Clock clock;
    private final Map<String, RegisteredModel> models = new TreeMap<>();
    private final Map<String, TreeMap<Integer, ModelVersion>> versions = new HashMap<>();
    /** Idempotency key to the version it created: how a tool without keys makes create-or-get work. */
    private final Map<String, ModelVersion> byKey = new HashMap<>();

    ExampleModelRegistry(String connection, int maxPageSize, Clock clock) {
        this.connection = connection;
        this.maxPageSize = maxPageSize;
        this.clock = clock;
    }

    @Override
    public synchronized Page<RegisteredModel> listModels(PageRequest page) {
        return page(List.copyOf(models.values()), page);
    }

    @Override
    public synchronized Optional<RegisteredModel> getModel(String name) {
        return Optional.ofNullable(models.get(name));
    }

    @Override
    public synchronized Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page) {
        List<ModelVersion> all = new ArrayList<>();
        versions.entrySet().stream().filter(e -> modelName == null || e.getKey().equals(modelName))
                .forEach(e -> all.addAll(e.getValue().values()));
        all.removeIf(v -> since != null && v.updatedAt().isBefore(since));
        return page(all, page);
    }

    @Override
    public synchronized Optional<ModelVersion> getVersion(String modelName, String version) {
        try {
            return Optional.ofNullable(versions.getOrDefault(modelName, new TreeMap<>()).get(Integer.parseInt(version)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized Optional<ModelVersion> getVersionByAlias(String modelName, String alias) {
        return Optional.ofNullable(models.get(modelName)).map(m -> m.aliases().get(alias))
                .flatMap(version -> getVersion(modelName, version));
    }

    @Override
    public synchronized RegisteredModel createModel(RegisteredModel model, String idempotencyKey) {
        return models.computeIfAbsent(model.name(), name -> {
            Instant now = clock.instant();
            return new RegisteredModel(ref("registered_model", name), name, model.description(), model.tags(),
                    Map.of(), now, now);
        });
    }

    @Override
    public synchronized ModelVersion createVersion(ModelVersion version, String idempotencyKey) {
        ModelVersion earlier = byKey.get(idempotencyKey);
        if (earlier != null) {
            return earlier;
        }
        createModel(new RegisteredModel(ref("registered_model", version.modelName()), version.modelName(), null,
                Map.of(), Map.of(), null, null), idempotencyKey);
        TreeMap<Integer, ModelVersion> ofModel = versions.computeIfAbsent(version.modelName(), n -> new TreeMap<>());
        int number = ofModel.isEmpty() ? 1 : ofModel.lastKey() + 1;
        Instant now = clock.instant();
        ModelVersion created = new ModelVersion(ref("model_version", version.modelName() + "/" + number),
                version.modelName(), Integer.toString(number), version.description(), version.sourceRun(),
                version.artifact(), Set.of(), null, null, version.tags(), Map.of(), Map.of(), now, now);
        ofModel.put(number, created);
        byKey.put(idempotencyKey, created);
        return created;
    }

    @Override
    public synchronized ModelVersion updateDescription(String modelName, String version, String description) {
        return replace(modelName, version, v -> copy(v, description, v.aliases(), v.tags()));
    }

    @Override
    public synchronized void setAlias(String modelName, String alias, String version) {
        existing(modelName, version);
        RegisteredModel model = models.get(modelName);
        Map<String, String> aliases = new LinkedHashMap<>(model.aliases());
        String previous = aliases.put(alias, version);
        models.put(modelName, withAliasMap(model, aliases));
        if (previous != null && !previous.equals(version)) {
            replace(modelName, previous, v -> copy(v, v.description(), without(v.aliases(), alias), v.tags()));
        }
        replace(modelName, version, v -> copy(v, v.description(), with(v.aliases(), alias), v.tags()));
    }

    @Override
    public synchronized void deleteAlias(String modelName, String alias) {
        RegisteredModel model = model(modelName);
        Map<String, String> aliases = new LinkedHashMap<>(model.aliases());
        String previous = aliases.remove(alias);
        models.put(modelName, withAliasMap(model, aliases));
        if (previous != null) {
            replace(modelName, previous, v -> copy(v, v.description(), without(v.aliases(), alias), v.tags()));
        }
    }

    @Override
    public ModelVersion transitionStage(String modelName, String version, Stage stage) {
        throw ConnectorException.configuration(connection, "the example registry has no stages (field STAGE)");
    }

    @Override
    public ModelVersion setApproval(String modelName, String version, ApprovalStatus status) {
        throw ConnectorException.configuration(connection, "the example registry has no approval (field APPROVAL)");
    }

    @Override
    public synchronized void setModelTag(String modelName, String key, String value) {
        RegisteredModel m = model(modelName);
        Map<String, String> tags = new LinkedHashMap<>(m.tags());
        tags.put(key, value);
        models.put(modelName, new RegisteredModel(m.ref(), m.name(), m.description(), tags, m.aliases(),
                m.createdAt(), clock.instant()));
    }

    @Override
    public synchronized void setVersionTag(String modelName, String version, String key, String value) {
        replace(modelName, version, v -> {
            Map<String, String> tags = new LinkedHashMap<>(v.tags());
            tags.put(key, value);
            return copy(v, v.description(), v.aliases(), tags);
        });
    }

    @Override
    public synchronized void deleteVersionTag(String modelName, String version, String key) {
        replace(modelName, version, v -> {
            Map<String, String> tags = new LinkedHashMap<>(v.tags());
            tags.remove(key);
            return copy(v, v.description(), v.aliases(), tags);
        });
    }

    @Override
    public synchronized Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source) {
        return Optional.ofNullable(byKey.get(source.key())).filter(v -> v.modelName().equals(modelName))
                .flatMap(v -> getVersion(modelName, v.version()));
    }

    // ---------------------------------------------------------------- helpers

    /** Offset paging; the token is the offset as text. */
    private <T> Page<T> page(List<T> all, PageRequest request) {
        int size = Math.min(request.pageSize(), maxPageSize);
        int offset = request.pageToken() == null ? 0 : Integer.parseInt(request.pageToken());
        int end = Math.min(offset + size, all.size());
        return new Page<>(all.subList(Math.min(offset, end), end), end < all.size() ? Integer.toString(end) : null);
    }

    private RegisteredModel model(String name) {
        RegisteredModel model = models.get(name);
        if (model == null) {
            throw ConnectorException.configuration(connection, "registered model " + name + " does not exist");
        }
        return model;
    }

    private ModelVersion existing(String modelName, String version) {
        return getVersion(modelName, version).orElseThrow(() -> ConnectorException.configuration(connection,
                "version " + version + " of model " + modelName + " does not exist"));
    }

    private ModelVersion replace(String modelName, String version, UnaryOperator<ModelVersion> change) {
        ModelVersion updated = change.apply(existing(modelName, version));
        versions.get(modelName).put(Integer.parseInt(version), updated);
        byKey.replaceAll((key, v) -> v.ref().equals(updated.ref()) ? updated : v);
        return updated;
    }

    private ModelVersion copy(ModelVersion v, String description, Set<String> aliases,
                              Map<String, String> tags) {
        return new ModelVersion(v.ref(), v.modelName(), v.version(), description, v.sourceRun(), v.artifact(), aliases,
                null, null, tags, v.metrics(), v.params(), v.createdAt(), clock.instant());
    }

    private RegisteredModel withAliasMap(RegisteredModel m, Map<String, String> aliases) {
        return new RegisteredModel(m.ref(), m.name(), m.description(), m.tags(), aliases, m.createdAt(), clock.instant());
    }

    private static Set<String> with(Set<String> set, String element) {
        TreeSet<String> copy = new TreeSet<>(set);
        copy.add(element);
        return copy;
    }

    private static Set<String> without(Set<String> set, String element) {
        TreeSet<String> copy = new TreeSet<>(set);
        copy.remove(element);
        return copy;
    }

    private ResourceRef ref(String kind, String nativeId) {
        return ResourceRef.of("example", connection, kind, nativeId);
    }
}
