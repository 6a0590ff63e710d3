package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ModelRegistry}: create, get and list (across pages), idempotent create-or-get,
 * aliases, stages, approval, tags, not-found and conflict handling, and find by external reference.
 *
 * <p>Tests need {@link Capability#MODEL_REGISTRY}; alias, stage, approval, tag and description tests also need
 * the matching {@link Fidelity.Field}, and are skipped with a reason otherwise. A field the connector does not
 * hold is instead checked to fail as {@link ErrorKind#CONFIGURATION}.
 *
 * <p>Every test creates models with fresh random names, so the suite also runs against a shared tool.
 */
public interface ModelRegistrySuite extends ConnectorUnderTest {

    /** How many models the paging test creates; pages hold {@link #registryPageSize()} items. */
    int MODELS_FOR_PAGING = 7;

    /** The page size the paging tests ask for: small, so a few objects span several pages. */
    default int registryPageSize() {
        return 3;
    }

    /** Where a new version's files are; must be a source the tool accepts when it creates a version. */
    default URI sampleArtifactUri(String modelName) {
        return URI.create("s3://switchboard-kit/" + modelName + "/model");
    }

    /** A version of {@code modelName} to create, with a description and one tag. */
    default ModelVersion newVersion(String modelName) {
        return new ModelVersion(ResourceRef.of("kit", "kit", "model_version", modelName + "/" + UUID.randomUUID()),
                modelName, "new", "made by the conformance kit", null, ArtifactRef.of(sampleArtifactUri(modelName)),
                Set.of(), null, null, Map.of("kit.purpose", "conformance"), Map.of(), Map.of(), null, null);
    }

    /** A model name no other test uses. */
    default String uniqueModelName() {
        return "kit-model-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The registry port, or a skip when the connector does not claim one. */
    default ModelRegistry registry() {
        assumeCapability(Capability.MODEL_REGISTRY);
        return connection().modelRegistry().orElseThrow(() -> new AssertionError(
                "connector claims MODEL_REGISTRY but the connection offers no ModelRegistry"));
    }

    private RegisteredModel newModel(String name) {
        return new RegisteredModel(ResourceRef.of("kit", "kit", "registered_model", name), name,
                "a model of the conformance kit", Map.of("kit.purpose", "conformance"), Map.of(), null, null);
    }

    private ModelVersion createVersion(ModelRegistry registry, String model) {
        return registry.createVersion(newVersion(model), UUID.randomUUID().toString());
    }

    @Test
    default void createdModelCanBeReadBack() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        RegisteredModel created = registry.createModel(newModel(name), "key-" + name);
        assertThat(created.name()).isEqualTo(name);
        RegisteredModel read = registry.getModel(name).orElseThrow();
        assertThat(read.name()).isEqualTo(name);
        assertThat(read.ref().nativeId()).isNotBlank();
        if (declaredFidelity().supports(Fidelity.Field.DESCRIPTION)) {
            assertThat(read.description()).isEqualTo("a model of the conformance kit");
        }
        if (declaredFidelity().supports(Fidelity.Field.TAGS)) {
            assertThat(read.tags()).containsEntry("kit.purpose", "conformance");
        }
    }

    @Test
    default void creatingAnExistingModelReturnsItInsteadOfFailing() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        registry.createModel(newModel(name), "first-" + name);
        RegisteredModel again = registry.createModel(newModel(name), "second-" + name);
        assertThat(again.name()).isEqualTo(name);
        assertThat(collectAll(page -> registry.listModels(page)).stream().filter(m -> m.name().equals(name)))
                .as("models named %s", name).hasSize(1);
    }

    @Test
    default void listingModelsVisitsEveryModelOnceAcrossPages() {
        ModelRegistry registry = registry();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < MODELS_FOR_PAGING; i++) {
            names.add(uniqueModelName());
            registry.createModel(newModel(names.get(i)), "key-" + names.get(i));
        }
        List<Page<RegisteredModel>> pages = pages(page -> registry.listModels(page));
        assertThat(pages).allSatisfy(page -> assertThat(page.items()).hasSizeLessThanOrEqualTo(registryPageSize()));
        assertThat(pages).as("pages of %d models at page size %d", MODELS_FOR_PAGING, registryPageSize())
                .hasSizeGreaterThanOrEqualTo((MODELS_FOR_PAGING + registryPageSize() - 1) / registryPageSize());
        List<String> listed = pages.stream().flatMap(p -> p.items().stream()).map(RegisteredModel::name)
                .filter(names::contains).toList();
        assertThat(listed).as("each created model listed exactly once").containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    default void missingObjectsReadAsEmpty() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        assertThat(registry.getModel(name)).isEmpty();
        assertThat(registry.getVersion(name, "1")).isEmpty();
        registry.createModel(newModel(name), "key-" + name);
        assertThat(registry.getVersion(name, "999")).isEmpty();
    }

    @Test
    default void writesToMissingObjectsFailAsConfigurationErrors() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        registry.createModel(newModel(name), "key-" + name);
        List<Runnable> writes = new ArrayList<>();
        if (declaredFidelity().supports(Fidelity.Field.TAGS)) {
            writes.add(() -> registry.setVersionTag(name, "999", "k", "v"));
        }
        if (declaredFidelity().supports(Fidelity.Field.DESCRIPTION)) {
            writes.add(() -> registry.updateDescription(name, "999", "text"));
        }
        if (declaredFidelity().supports(Fidelity.Field.ALIASES)) {
            writes.add(() -> registry.setAlias(name, "champion", "999"));
        }
        assertThat(writes).as("writes the fidelity allows").isNotEmpty();
        for (Runnable write : writes) {
            ConnectorException e = catchThrowableOfType(ConnectorException.class, write::run);
            assertThat(e).as("a write to version 999 of %s", name).isNotNull();
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
            assertThat(e.getMessage()).contains(connection().name());
        }
    }

    @Test
    default void createdVersionCanBeReadBack() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        registry.createModel(newModel(name), "key-" + name);
        ModelVersion created = createVersion(registry, name);
        assertThat(created.modelName()).isEqualTo(name);
        assertThat(created.version()).isNotBlank();
        ModelVersion read = registry.getVersion(name, created.version()).orElseThrow();
        assertThat(read.version()).isEqualTo(created.version());
        assertThat(read.ref()).isEqualTo(created.ref());
        if (declaredFidelity().supports(Fidelity.Field.TAGS)) {
            assertThat(read.tags()).containsEntry("kit.purpose", "conformance");
        }
        if (declaredFidelity().supports(Fidelity.Field.DESCRIPTION)) {
            assertThat(read.description()).isEqualTo("made by the conformance kit");
        }
        if (declaredFidelity().supports(Fidelity.Field.ARTIFACT)) {
            assertThat(read.artifact().uri()).isEqualTo(sampleArtifactUri(name));
        }
    }

    @Test
    default void creatingAVersionOfAMissingModelCreatesTheModel() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion created = createVersion(registry, name);
        assertThat(registry.getModel(name)).isPresent();
        assertThat(registry.getVersion(name, created.version())).isPresent();
    }

    @Test
    default void creatingAVersionTwiceWithOneKeyCreatesItOnce() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        String key = "retry-" + UUID.randomUUID();
        ModelVersion first = registry.createVersion(newVersion(name), key);
        ModelVersion retried = registry.createVersion(newVersion(name), key);
        assertThat(retried.version()).isEqualTo(first.version());
        assertThat(collectAll(page -> registry.listVersions(name, null, page))).as("versions of %s", name)
                .extracting(ModelVersion::version).containsExactly(first.version());
    }

    @Test
    default void creatingVersionsWithDifferentKeysCreatesEach() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion first = createVersion(registry, name);
        ModelVersion second = createVersion(registry, name);
        assertThat(second.version()).isNotEqualTo(first.version());
    }

    @Test
    default void versionCreatedForAnExternalRefIsFoundByIt() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ResourceRef source = ResourceRef.of("other-tool", "other-prod", "model_version", "churn/" + UUID.randomUUID());
        ModelVersion created = registry.createVersion(newVersion(name), source.key());
        createVersion(registry, name);
        assertThat(registry.findByExternalRef(name, source)).map(ModelVersion::version).contains(created.version());
        ResourceRef unknown = ResourceRef.of("other-tool", "other-prod", "model_version", "never/created");
        assertThat(registry.findByExternalRef(name, unknown)).isEmpty();
    }

    @Test
    default void listingVersionsVisitsEveryVersionOnceAcrossPages() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(createVersion(registry, name).version());
        }
        List<Page<ModelVersion>> pages = pages(page -> registry.listVersions(name, null, page));
        assertThat(pages).hasSizeGreaterThan(1)
                .allSatisfy(page -> assertThat(page.items()).hasSizeLessThanOrEqualTo(registryPageSize()));
        assertThat(pages.stream().flatMap(p -> p.items().stream()).map(ModelVersion::version))
                .containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    default void listingVersionsSinceATimeSkipsOlderVersions() {
        assumeFidelity(Fidelity.Field.TIMESTAMPS);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        List<ModelVersion> created = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            created.add(createVersion(registry, name));
        }
        Instant since = registry.getVersion(name, created.get(2).version()).orElseThrow().updatedAt();
        List<ModelVersion> listed = collectAll(page -> registry.listVersions(name, since, page));
        assertThat(listed).extracting(ModelVersion::version)
                .contains(created.get(2).version(), created.get(3).version());
        assertThat(listed).allSatisfy(v -> assertThat(v.updatedAt()).isAfterOrEqualTo(since));
    }

    @Test
    default void aliasPointsAtAVersionMovesAndIsDeleted() {
        assumeFidelity(Fidelity.Field.ALIASES);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion one = createVersion(registry, name);
        ModelVersion two = createVersion(registry, name);
        registry.setAlias(name, "champion", one.version());
        assertThat(registry.getVersionByAlias(name, "champion")).map(ModelVersion::version).contains(one.version());
        assertThat(registry.getModel(name).orElseThrow().aliases()).containsEntry("champion", one.version());
        assertThat(registry.getVersion(name, one.version()).orElseThrow().aliases()).contains("champion");
        registry.setAlias(name, "champion", two.version());
        assertThat(registry.getVersionByAlias(name, "champion")).map(ModelVersion::version).contains(two.version());
        assertThat(registry.getVersion(name, one.version()).orElseThrow().aliases()).doesNotContain("champion");
        registry.deleteAlias(name, "champion");
        assertThat(registry.getVersionByAlias(name, "champion")).isEmpty();
        assertThatCode(() -> registry.deleteAlias(name, "champion")).as("deleting a missing alias")
                .doesNotThrowAnyException();
    }

    @Test
    default void stageTransitionIsKept() {
        assumeFidelity(Fidelity.Field.STAGE);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion version = createVersion(registry, name);
        // every stage the fidelity holds, in the order a version goes through them, then back to NONE if held
        List<Stage> stages = new ArrayList<>(List.of(Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED, Stage.NONE));
        stages.removeIf(stage -> !declaredFidelity().holdsStage(stage));
        for (Stage stage : stages) {
            assertThat(registry.transitionStage(name, version.version(), stage).stage()).as("answer to %s", stage)
                    .isEqualTo(stage);
            assertThat(registry.getVersion(name, version.version()).orElseThrow().stage()).as("read after %s", stage)
                    .isEqualTo(stage);
        }
    }

    @Test
    default void approvalIsKept() {
        assumeFidelity(Fidelity.Field.APPROVAL);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion version = createVersion(registry, name);
        assertThat(registry.setApproval(name, version.version(), ApprovalStatus.APPROVED).approval())
                .isEqualTo(ApprovalStatus.APPROVED);
        assertThat(registry.getVersion(name, version.version()).orElseThrow().approval())
                .isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    default void fieldsOutsideTheFidelityFailAsConfigurationErrors() {
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        ModelVersion version = createVersion(registry, name);
        List<Runnable> unsupported = new ArrayList<>();
        if (!declaredFidelity().supports(Fidelity.Field.APPROVAL)) {
            unsupported.add(() -> registry.setApproval(name, version.version(), ApprovalStatus.APPROVED));
        }
        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            if (!declaredFidelity().holdsStage(stage)) {
                unsupported.add(() -> registry.transitionStage(name, version.version(), stage));
            }
        }
        if (!declaredFidelity().supports(Fidelity.Field.ALIASES)) {
            unsupported.add(() -> registry.setAlias(name, "champion", version.version()));
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(unsupported.isEmpty(),
                "connector holds approval, stage and aliases, so nothing is unsupported");
        for (Runnable write : unsupported) {
            ConnectorException e = catchThrowableOfType(ConnectorException.class, write::run);
            assertThat(e).as("a write of a field the fidelity excludes").isNotNull();
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        }
    }

    @Test
    default void versionTagsAreSetOverwrittenAndDeleted() {
        assumeFidelity(Fidelity.Field.TAGS);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        String version = createVersion(registry, name).version();
        registry.setVersionTag(name, version, "validated", "no");
        registry.setVersionTag(name, version, "validated", "yes");
        assertThat(registry.getVersion(name, version).orElseThrow().tags()).containsEntry("validated", "yes");
        registry.deleteVersionTag(name, version, "validated");
        assertThat(registry.getVersion(name, version).orElseThrow().tags()).doesNotContainKey("validated");
        assertThatCode(() -> registry.deleteVersionTag(name, version, "validated")).as("deleting a missing tag")
                .doesNotThrowAnyException();
        registry.setModelTag(name, "owner", "kit");
        assertThat(registry.getModel(name).orElseThrow().tags()).containsEntry("owner", "kit");
    }

    @Test
    default void descriptionIsUpdated() {
        assumeFidelity(Fidelity.Field.DESCRIPTION);
        ModelRegistry registry = registry();
        String name = uniqueModelName();
        String version = createVersion(registry, name).version();
        assertThat(registry.updateDescription(name, version, "retrained").description()).isEqualTo("retrained");
        assertThat(registry.getVersion(name, version).orElseThrow().description()).isEqualTo("retrained");
    }

    /** Every item of a paged listing; fails instead of looping forever when the paging never ends. */
    private <T> List<T> collectAll(Function<PageRequest, Page<T>> list) {
        return pages(list).stream().flatMap(page -> page.items().stream()).toList();
    }

    private <T> List<Page<T>> pages(Function<PageRequest, Page<T>> list) {
        List<Page<T>> pages = new ArrayList<>();
        PageRequest request = PageRequest.first(registryPageSize());
        while (true) {
            Page<T> page = list.apply(request);
            pages.add(page);
            if (page.next().isEmpty()) {
                return pages;
            }
            assertThat(pages).as("pages before the listing ended (is the page token ignored?)").hasSizeLessThan(50);
            request = request.next(page);
        }
    }
}
