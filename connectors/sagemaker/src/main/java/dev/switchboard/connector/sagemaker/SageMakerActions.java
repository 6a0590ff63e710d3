package dev.switchboard.connector.sagemaker;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;

/**
 * SageMaker's actions:
 * <ul>
 *   <li>{@code register-model-version} — from a {@code model_version.*} or {@code model_version.alias_set} event:
 *       creates the model package group if missing and a versioned package with the model data
 *       ({@code model-data-url}, in a route {@code s3://models/${variable.model}/${variable.version}/model.tar.gz}, or the
 *       event's artifact) and the inference {@code image}. The {@code ClientToken} comes from the request's
 *       idempotency key, so a retried delivery returns the first package. The package records where it came from
 *       ({@value #SOURCE_PROPERTY}) and the alias that triggered it.</li>
 *   <li>{@code set-approval} — sets {@code status} (default {@code Approved}) on the package of the event's
 *       version: the event's own version when the event comes from this connection, else the package registered
 *       for the event's source version.</li>
 * </ul>
 */
final class SageMakerActions implements ActionTarget {

    static final String REGISTER = "register-model-version";
    static final String SET_APPROVAL = "set-approval";
    static final String SOURCE_PROPERTY = "switchboard.source";

    private final String connection;
    private final SageMakerModelRegistry registry;
    private final SageMakerMapper mapper;
    private final Optional<String> defaultImage;

    SageMakerActions(String connection, SageMakerModelRegistry registry, SageMakerMapper mapper,
                     Optional<String> defaultImage) {
        this.connection = connection;
        this.registry = registry;
        this.mapper = mapper;
        this.defaultImage = defaultImage;
    }

    @Override
    public Set<String> actions() {
        return Set.of(REGISTER, SET_APPROVAL);
    }

    @Override
    public List<Action> describe() {
        Parameter group = Parameter.optional("model-package-group", "The model package group; the event's model name, "
                + "made a valid group name, by default");
        String[] statuses = {"Approved", "Rejected", "PendingManualApproval"};
        return List.of(
                Action.of(REGISTER, "Registers the event's model version as a new model package; outputs "
                                + "modelPackageArn, modelPackageGroup, version and approval",
                        Parameter.optional("model-data-url", "The model artifact (s3://…); the event's artifact by "
                                + "default"),
                        Parameter.optional("image", "The serving image; the connection option default-image by "
                                + "default"),
                        Parameter.optional("description", "The package description"),
                        Parameter.optional("approval", "The package's initial approval status").oneOf(statuses),
                        group),
                Action.of(SET_APPROVAL, "Sets the approval status of the package registered for the event's version",
                        Parameter.optional("status", "The approval status; Approved by default").oneOf(statuses),
                        Parameter.optional("description", "The approval description"),
                        group));
    }

    @Override
    public Result perform(Request request) {
        return switch (request.action()) {
            case REGISTER -> register(request);
            case SET_APPROVAL -> setApproval(request);
            default -> throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; SageMaker offers " + REGISTER + " and " + SET_APPROVAL);
        };
    }

    private Result register(Request request) {
        Map<String, String> fields = sourceVersion(request);
        String group = groupName(request, fields.get("model"));
        ArtifactRef modelData = request.artifact(connection, "model-data-url");
        String image = Optional.ofNullable(request.parameters().get("image")).or(() -> defaultImage)
                .orElseThrow(() -> ConnectorException.configuration(connection, "action " + REGISTER
                        + " needs parameter image (or the connection option default-image)"));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(SOURCE_PROPERTY, sourceKey(request, fields));
        Set<String> aliases = request.event().data() instanceof AliasChange alias ? Set.of(alias.alias()) : Set.of();
        String description = Optional.ofNullable(request.parameters().get("description"))
                .orElse("registered by switchboard from " + sourceKey(request, fields));
        ModelVersion version = new ModelVersion(mapper.groupRef(group), group, "new", description, null, modelData,
                aliases, null, null, tags, Map.of(), Map.of(), null, null);
        ModelApprovalStatus approval = Optional.ofNullable(request.parameters().get("approval"))
                .map(mapper::approval).orElse(null);
        DescribeModelPackageResponse created = registry.create(version, request.idempotencyKey(), image, approval);
        return result(created);
    }

    private Result setApproval(Request request) {
        ModelApprovalStatus status = mapper.approval(request.parameters().getOrDefault("status", "Approved"));
        Map<String, String> fields = sourceVersion(request);
        String group = groupName(request, fields.get("model"));
        String version = connection.equals(request.event().sourceConnection()) ? fields.get("version")
                : registry.findByTag(group, SOURCE_PROPERTY, sourceKey(request, fields))
                .map(p -> String.valueOf(p.modelPackageVersion()))
                .orElseThrow(() -> ConnectorException.configuration(connection, "no model package in group " + group
                        + " was registered for " + sourceKey(request, fields) + "; run " + REGISTER + " first"));
        return result(registry.approve(group, version, status,
                request.parameters().getOrDefault("description", "set by switchboard")));
    }

    private Result result(DescribeModelPackageResponse p) {
        return new Result(mapper.packageRef(p.modelPackageArn()), Map.of("modelPackageArn", p.modelPackageArn(),
                "modelPackageGroup", p.modelPackageGroupName(), "version", String.valueOf(p.modelPackageVersion()),
                "approval", p.modelApprovalStatusAsString() == null ? "" : p.modelApprovalStatusAsString()));
    }

    /** The package's processing status: {@code Completed} is a finished registration. */
    @Override
    public Optional<Status> status(ResourceRef started) {
        if (!"model_package".equals(started.kind())) {
            return Optional.empty();
        }
        return registry.describeArn(started.nativeId()).map(p -> new Status(switch (p.modelPackageStatus()) {
            case COMPLETED -> RunStatus.SUCCEEDED;
            case FAILED -> RunStatus.FAILED;
            case PENDING -> RunStatus.QUEUED;
            default -> RunStatus.RUNNING;
        }, started));
    }

    private Map<String, String> sourceVersion(Request request) {
        Map<String, String> fields = request.eventFields();
        if (!fields.containsKey("model") || !fields.containsKey("version")) {
            throw ConnectorException.configuration(connection, "action " + request.action()
                    + " needs an event about a model version, was " + request.event().type());
        }
        return fields;
    }

    /** {@code mlflow-prod:churn/3}: the source version, as recorded on the package it was registered as. */
    private static String sourceKey(Request request, Map<String, String> fields) {
        return request.event().sourceConnection() + ":" + fields.get("model") + "/" + fields.get("version");
    }

    /**
     * The {@code model-package-group} parameter (resolved by the hub, like every parameter), or the event's model
     * name; either made into a valid group name.
     */
    private String groupName(Request request, String modelName) {
        String explicit = request.parameters().get("model-package-group");
        String name = explicit != null && !explicit.isBlank() ? explicit : modelName;
        return mapper.groupName(name);
    }

}
