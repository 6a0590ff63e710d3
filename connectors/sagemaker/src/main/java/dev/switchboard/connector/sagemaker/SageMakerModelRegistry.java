package dev.switchboard.connector.sagemaker;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.Digest;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.BooleanOperator;
import software.amazon.awssdk.services.sagemaker.model.CreateModelPackageRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageGroupResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.InferenceSpecification;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackage;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.Operator;
import software.amazon.awssdk.services.sagemaker.model.ResourceType;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRecord;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;
import software.amazon.awssdk.services.sagemaker.model.SearchSortOrder;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * The SageMaker Model Registry as a {@link ModelRegistry}: model package groups are registered models, versioned
 * model packages are versions. Creates are create-or-get: a group is described before it is created, and a
 * package is created with a {@code ClientToken} derived from the idempotency key (SageMaker returns the first
 * package for a repeated token), which is also recorded as the metadata property
 * {@value SageMakerMapper#KEY_PROPERTY} so {@link #findByExternalRef} finds it later.
 *
 * <p>SageMaker has no aliases and no stages (see the connector's fidelity), and a package's description cannot be
 * changed after create; those methods fail as configuration errors. Thread-safe.
 */
final class SageMakerModelRegistry implements ModelRegistry {

    private final String connection;
    private final Supplier<SageMakerClient> clients;
    private final SageMakerMapper mapper;
    private final SageMakerErrors errors;
    private final int maxPageSize;
    private final Optional<String> defaultImage;
    /** Group name to group ARN; an ARN never changes, so the cache needs no expiry. */
    private final Map<String, String> groupArns = new ConcurrentHashMap<>();

    SageMakerModelRegistry(String connection, Supplier<SageMakerClient> clients, SageMakerMapper mapper,
                           SageMakerErrors errors, int maxPageSize, Optional<String> defaultImage) {
        this.connection = connection;
        this.clients = clients;
        this.mapper = mapper;
        this.errors = errors;
        this.maxPageSize = maxPageSize;
        this.defaultImage = defaultImage;
    }

    // ---------------------------------------------------------------- models

    @Override
    public Page<RegisteredModel> listModels(PageRequest page) {
        var response = call("ListModelPackageGroups", () -> client().listModelPackageGroups(r -> r
                .maxResults(Math.min(page.pageSize(), maxPageSize)).nextToken(page.pageToken())));
        return new Page<>(response.modelPackageGroupSummaryList().stream().map(mapper::model).toList(),
                response.nextToken());
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return describeGroup(name).map(group -> mapper.model(group, groupTags(group.modelPackageGroupArn())));
    }

    @Override
    public RegisteredModel createModel(RegisteredModel model, String idempotencyKey) {
        ensureGroup(model.name(), model.description(), model.tags());
        return getModel(model.name()).orElseThrow(() -> ConnectorException.system(connection,
                "model package group " + model.name() + " was created but cannot be described", null));
    }

    private Optional<DescribeModelPackageGroupResponse> describeGroup(String modelName) {
        String name = mapper.groupName(modelName);
        try {
            DescribeModelPackageGroupResponse group = client().describeModelPackageGroup(r -> r
                    .modelPackageGroupName(name));
            groupArns.put(name, group.modelPackageGroupArn());
            return Optional.of(group);
        } catch (SdkException e) {
            if (SageMakerErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw errors.classify("DescribeModelPackageGroup", e);
        }
    }

    /** Create-or-get of a group; returns its ARN. A concurrent create that wins is fine. */
    private String ensureGroup(String modelName, String description, Map<String, String> tags) {
        String name = mapper.groupName(modelName);
        String known = groupArns.get(name);
        if (known != null) {
            return known;
        }
        Optional<DescribeModelPackageGroupResponse> existing = describeGroup(name);
        if (existing.isPresent()) {
            return existing.get().modelPackageGroupArn();
        }
        try {
            String arn = client().createModelPackageGroup(r -> r.modelPackageGroupName(name)
                    .modelPackageGroupDescription(description)
                    .tags(tags.entrySet().stream().map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build())
                            .toList())).modelPackageGroupArn();
            groupArns.put(name, arn);
            return arn;
        } catch (SdkException e) {
            if (String.valueOf(e.getMessage()).contains("already exists")) {
                return describeGroup(name).map(DescribeModelPackageGroupResponse::modelPackageGroupArn)
                        .orElseThrow(() -> errors.classify("CreateModelPackageGroup", e));
            }
            throw errors.classify("CreateModelPackageGroup", e);
        }
    }

    private Map<String, String> groupTags(String arn) {
        Map<String, String> tags = new LinkedHashMap<>();
        String token = null;
        do {
            String next = token;
            var response = call("ListTags", () -> client().listTags(r -> r.resourceArn(arn).nextToken(next)));
            response.tags().forEach(tag -> tags.put(tag.key(), tag.value() == null ? "" : tag.value()));
            token = response.nextToken();
        } while (token != null && !token.isEmpty());
        return tags;
    }

    @Override
    public void setModelTag(String modelName, String key, String value) {
        String arn = requireGroupArn(modelName);
        call("AddTags", () -> client().addTags(r -> r.resourceArn(arn).tags(Tag.builder().key(key).value(value).build())));
    }

    // ---------------------------------------------------------------- versions

    /**
     * Full packages (metadata properties, model data, approval, last-modified time) from {@code Search}, one call per
     * page, oldest first; {@code ListModelPackages} would give summaries without tags or model data. {@code since}
     * compares with {@code LastModifiedTime}, which an approval or metadata update moves.
     */
    @Override
    public Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page) {
        List<Filter> filters = new ArrayList<>();
        filters.add(modelName == null ? filter("ModelPackageGroupName", Operator.EXISTS, null)
                : filter("ModelPackageGroupName", Operator.EQUALS, mapper.groupName(modelName)));
        if (since != null) {
            filters.add(filter("LastModifiedTime", Operator.GREATER_THAN_OR_EQUAL_TO, since.toString()));
        }
        SearchResponse response = search(filters, Math.min(page.pageSize(), maxPageSize), page.pageToken());
        return new Page<>(response.results().stream().map(SearchRecord::modelPackage)
                .filter(java.util.Objects::nonNull).map(mapper::version).toList(), response.nextToken());
    }

    private static Filter filter(String name, Operator operator, String value) {
        return Filter.builder().name(name).operator(operator).value(value).build();
    }

    /** One {@code Search} call over model packages: every filter must hold. */
    private SearchResponse search(List<Filter> filters, int maxResults, String token) {
        return call("Search", () -> client().search(r -> r.resource(ResourceType.MODEL_PACKAGE)
                .searchExpression(SearchExpression.builder().filters(filters).operator(BooleanOperator.AND).build())
                .sortBy("CreationTime").sortOrder(SearchSortOrder.ASCENDING).maxResults(maxResults)
                .nextToken(token)));
    }

    @Override
    public Optional<ModelVersion> getVersion(String modelName, String version) {
        return describePackage(modelName, version).map(mapper::version);
    }

    private Optional<DescribeModelPackageResponse> describePackage(String modelName, String version) {
        if (!version.matches("\\d{1,9}")) {
            return Optional.empty();
        }
        Optional<String> groupArn = Optional.ofNullable(groupArns.get(mapper.groupName(modelName)))
                .or(() -> describeGroup(modelName).map(DescribeModelPackageGroupResponse::modelPackageGroupArn));
        return groupArn.flatMap(arn -> describeArn(packageArn(arn, version)));
    }

    Optional<DescribeModelPackageResponse> describeArn(String arn) {
        try {
            return Optional.of(client().describeModelPackage(r -> r.modelPackageName(arn)));
        } catch (SdkException e) {
            if (SageMakerErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw errors.classify("DescribeModelPackage", e);
        }
    }

    /** {@code ...:model-package-group/churn} and {@code 3} give {@code ...:model-package/churn/3}. */
    static String packageArn(String groupArn, String version) {
        return groupArn.replace(":model-package-group/", ":model-package/") + "/" + version;
    }

    /** A version with model data needs an inference image; without {@code default-image} the create would fail. */
    @Override
    public Optional<String> refusesCreate(ModelVersion version) {
        if (version.artifact() != null && defaultImage.isEmpty()) {
            return Optional.of("[" + connection + "] a version with model data needs an inference image: set the "
                    + "connection option default-image");
        }
        return Optional.empty();
    }

    /** The approval the version asks for is set by {@code CreateModelPackage} itself, not by a second write. */
    @Override
    public ModelVersion createVersion(ModelVersion version, String idempotencyKey) {
        return mapper.version(create(version, idempotencyKey, defaultImage.orElse(null),
                version.approval() == null ? null : SageMakerMapper.approval(version.approval())));
    }

    /**
     * Creates a versioned package (and its group when missing) or returns the one {@code idempotencyKey} created.
     *
     * @param image    the inference image, or null to register the model data without one
     * @param approval the initial approval status, or null for SageMaker's default
     */
    DescribeModelPackageResponse create(ModelVersion version, String idempotencyKey, String image,
                                        ModelApprovalStatus approval) {
        ensureGroup(version.modelName(), null, Map.of());
        Map<String, String> properties = new LinkedHashMap<>(version.tags());
        version.metrics().forEach((name, value) -> properties.put(SageMakerMapper.METRIC_PREFIX + name,
                String.valueOf(value)));
        version.aliases().forEach(alias -> properties.put(SageMakerMapper.ALIAS_PREFIX + alias, "true"));
        properties.put(SageMakerMapper.KEY_PROPERTY, keyProperty(idempotencyKey));
        // The lookups by key are one Search call on these tags (a package's AWS tags are searchable, and fixed here).
        List<Tag> tags = new ArrayList<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(SageMakerMapper.RESERVED_PREFIX) && !key.startsWith(SageMakerMapper.ALIAS_PREFIX)) {
                tags.add(Tag.builder().key(key).value(value).build());
            }
        });
        if (version.ref() != null && !connection.equals(version.ref().connection())) {
            tags.add(Tag.builder().key(SageMakerMapper.SOURCE_REF_TAG).value(keyProperty(version.ref().key())).build());
        }
        CreateModelPackageRequest.Builder request = CreateModelPackageRequest.builder()
                .modelPackageGroupName(mapper.groupName(version.modelName()))
                .modelPackageDescription(version.description())
                .customerMetadataProperties(mapper.checkedProperties(properties))
                .clientToken(clientToken(idempotencyKey)).tags(tags);
        if (approval != null) {
            request.modelApprovalStatus(approval);
        }
        if (version.artifact() != null || image != null) {
            if (image == null) {
                throw ConnectorException.configuration(connection, "a version with model data needs an inference "
                        + "image: set the option default-image or the action parameter image");
            }
            request.inferenceSpecification(InferenceSpecification.builder().containers(
                    ModelPackageContainerDefinition.builder().image(image)
                            .modelDataUrl(version.artifact() == null ? null : version.artifact().uri().toString())
                            .build()).build());
        }
        String arn;
        try {
            arn = client().createModelPackage(request.build()).modelPackageArn();
        } catch (SdkException e) {
            if (SageMakerErrors.isConflict(e)) {
                // Another attempt with this key got there first: the package it made is the answer.
                return findByTag(version.modelName(), SageMakerMapper.KEY_PROPERTY, keyProperty(idempotencyKey))
                        .flatMap(found -> describeArn(found.modelPackageArn()))
                        .orElseThrow(() -> errors.classify("CreateModelPackage", e));
            }
            throw errors.classify("CreateModelPackage", e);
        }
        return describeArn(arn).orElseThrow(() -> ConnectorException.system(connection,
                "model package " + arn + " was created but cannot be described", null));
    }

    /** SageMaker's ClientToken is 1-36 of [a-zA-Z0-9-]: a name-based UUID of the key fits and is stable. */
    static String clientToken(String idempotencyKey) {
        return UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The key as a metadata value: as it is when it fits SageMaker's limits, else its SHA-256. */
    private static String keyProperty(String key) {
        if (key.length() <= SageMakerMapper.MAX_VALUE_LENGTH && key.matches("[\\p{L}\\p{N}_.:/=+\\-@]+")) {
            return key;
        }
        return "sha256:" + Digest.sha256Of(key.getBytes(StandardCharsets.UTF_8)).value();
    }

    /**
     * The package a sync created for {@code source}: one {@code Search} call for the tag {@value
     * SageMakerMapper#SOURCE_REF_TAG} that {@link #create} puts on it (the source's key, or its SHA-256 when it does not
     * fit a tag value).
     */
    @Override
    public Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source) {
        String value = keyProperty(source.key());
        return findByTags(modelName, List.of(filter("Tags." + SageMakerMapper.SOURCE_REF_TAG, Operator.EQUALS, value),
                filter("Tags." + SageMakerMapper.KEY_PROPERTY, Operator.EQUALS, value))).map(mapper::version);
    }

    /** The first package of the group with the tag {@code key=value}, by one {@code Search} call. */
    Optional<ModelPackage> findByTag(String modelName, String key, String value) {
        return findByTags(modelName, List.of(filter("Tags." + key, Operator.EQUALS, value)));
    }

    /** The first package of the group with any of the tags of {@code anyOf}, by one {@code Search} call. */
    private Optional<ModelPackage> findByTags(String modelName, List<Filter> anyOf) {
        SearchExpression expression = SearchExpression.builder()
                .filters(filter("ModelPackageGroupName", Operator.EQUALS, mapper.groupName(modelName)))
                .subExpressions(List.of(SearchExpression.builder().filters(anyOf).operator(BooleanOperator.OR)
                        .build()))
                .operator(BooleanOperator.AND).build();
        SearchResponse response = call("Search", () -> client().search(r -> r.resource(ResourceType.MODEL_PACKAGE)
                .searchExpression(expression).sortBy("CreationTime").sortOrder(SearchSortOrder.ASCENDING)
                .maxResults(1)));
        return response.results().stream().map(SearchRecord::modelPackage).filter(java.util.Objects::nonNull)
                .findFirst();
    }

    // ---------------------------------------------------------------- updates

    @Override
    public ModelVersion setApproval(String modelName, String version, ApprovalStatus status) {
        return mapper.version(approve(modelName, version, SageMakerMapper.approval(status), null));
    }

    /**
     * Sets the approval status. A {@code ConflictException} (a concurrent update) counts as success when the
     * package already has the wanted status.
     */
    DescribeModelPackageResponse approve(String modelName, String version, ModelApprovalStatus status,
                                         String description) {
        DescribeModelPackageResponse current = requirePackage(modelName, version);
        if (current.modelApprovalStatus() == status) {
            return current;
        }
        try {
            client().updateModelPackage(r -> r.modelPackageArn(current.modelPackageArn()).modelApprovalStatus(status)
                    .approvalDescription(description));
        } catch (SdkException e) {
            if (SageMakerErrors.isConflict(e)) {
                DescribeModelPackageResponse now = requirePackage(modelName, version);
                if (now.modelApprovalStatus() == status) {
                    return now;
                }
            }
            throw errors.classify("UpdateModelPackage", e);
        }
        return requirePackage(modelName, version);
    }

    @Override
    public void setVersionTag(String modelName, String version, String key, String value) {
        if (key.startsWith(SageMakerMapper.RESERVED_PREFIX)) {
            throw ConnectorException.configuration(connection, "tag keys starting with "
                    + SageMakerMapper.RESERVED_PREFIX + " are reserved for the hub, was \"" + key + "\"");
        }
        Map<String, String> property = mapper.checkedProperties(Map.of(key, value));
        String arn = requirePackage(modelName, version).modelPackageArn();
        call("UpdateModelPackage", () -> client().updateModelPackage(r -> r.modelPackageArn(arn)
                .customerMetadataProperties(property)));
    }

    @Override
    public void deleteVersionTag(String modelName, String version, String key) {
        DescribeModelPackageResponse current = requirePackage(modelName, version);
        if (!current.customerMetadataProperties().containsKey(key)) {
            return;
        }
        call("UpdateModelPackage", () -> client().updateModelPackage(r -> r.modelPackageArn(current.modelPackageArn())
                .customerMetadataPropertiesToRemove(key)));
    }

    @Override
    public ModelVersion updateDescription(String modelName, String version, String description) {
        requirePackage(modelName, version);
        throw ConnectorException.configuration(connection, "SageMaker cannot change the description of model package "
                + modelName + "/" + version + " after it was created (UpdateModelPackage has no description)");
    }

    @Override
    public Optional<ModelVersion> getVersionByAlias(String modelName, String alias) {
        throw unsupported("aliases", "alias " + alias + " of " + modelName);
    }

    @Override
    public void setAlias(String modelName, String alias, String version) {
        throw unsupported("aliases", "alias " + alias + " of " + modelName);
    }

    @Override
    public void deleteAlias(String modelName, String alias) {
        throw unsupported("aliases", "alias " + alias + " of " + modelName);
    }

    @Override
    public ModelVersion transitionStage(String modelName, String version, Stage stage) {
        throw unsupported("stages", "stage " + stage + " of " + modelName + "/" + version);
    }

    private ConnectorException unsupported(String field, String what) {
        return ConnectorException.configuration(connection, "SageMaker Model Registry has no " + field + " (" + what
                + "); register-model-version records the alias a version was registered under as the metadata "
                + "property " + SageMakerMapper.ALIAS_PREFIX + "<alias>, and approval is SageMaker's own gate");
    }

    DescribeModelPackageResponse requirePackage(String modelName, String version) {
        return describePackage(modelName, version).orElseThrow(() -> ConnectorException.configuration(connection,
                "model package " + modelName + "/" + version + " does not exist"));
    }

    private String requireGroupArn(String modelName) {
        return Optional.ofNullable(groupArns.get(mapper.groupName(modelName)))
                .or(() -> describeGroup(modelName).map(DescribeModelPackageGroupResponse::modelPackageGroupArn))
                .orElseThrow(() -> ConnectorException.configuration(connection,
                        "model package group " + modelName + " does not exist"));
    }

    private <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw errors.classify(operation, e);
        }
    }

    /** The connection's SDK client (built on first use). */
    private SageMakerClient client() {
        return clients.get();
    }
}
