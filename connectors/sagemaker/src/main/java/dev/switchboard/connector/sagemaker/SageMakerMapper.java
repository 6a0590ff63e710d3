package dev.switchboard.connector.sagemaker;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ConnectorException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageGroupResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.InferenceSpecification;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import software.amazon.awssdk.services.sagemaker.model.ModelPackage;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageGroupSummary;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageSummary;

/**
 * Maps SageMaker objects to canonical records and back. A model package group is a registered model; a versioned
 * model package is a model version (its {@code ModelPackageVersion} is the version string, its ARN the native id).
 *
 * <p>{@code CustomerMetadataProperties} is SageMaker's only free key/value store on a version, so it carries the
 * canonical tags as they are, metrics as {@code metric.<name>}, and the hub's own bookkeeping under
 * {@code switchboard.}: the idempotency key or external reference a version was created for
 * ({@value #KEY_PROPERTY}) and the aliases it was registered under ({@code switchboard.alias.<alias>}).
 */
final class SageMakerMapper {

    static final String SYSTEM = "sagemaker";
    static final String KEY_PROPERTY = "switchboard.key";
    /** The AWS tag a package created for an object of another tool carries: that object's key. */
    static final String SOURCE_REF_TAG = "switchboard.source-ref";
    static final String ALIAS_PREFIX = "switchboard.alias.";
    static final String RESERVED_PREFIX = "switchboard.";
    static final String METRIC_PREFIX = "metric.";

    /** CustomerMetadataProperties: 1 to 50 entries, keys 1-128 and values 1-256 characters of this set. */
    static final int MAX_PROPERTIES = 50;
    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_VALUE_LENGTH = 256;
    private static final Pattern VALID_GROUP = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    private static final Pattern PROPERTY_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private final String connection;

    SageMakerMapper(String connection) {
        this.connection = connection;
    }

    /**
     * A model name as a group name that fits SageMaker's {@code [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}}: every run of
     * other characters becomes one {@code -}, leading and trailing dashes go, and the name is cut to 63 characters.
     * A valid name is unchanged. Two names can meet in one group ({@code churn_model}, {@code churn.model}).
     */
    String groupName(String name) {
        if (VALID_GROUP.matcher(name).matches()) {
            return name;
        }
        String valid = name.replaceAll("[^a-zA-Z0-9]+", "-").replaceAll("^-+|-+$", "");
        valid = (valid.length() > 63 ? valid.substring(0, 63) : valid).replaceAll("-+$", "");
        if (valid.isEmpty()) {
            throw ConnectorException.configuration(connection, "model name \"" + name + "\" has no letter or digit "
                    + "to make a SageMaker model package group name of");
        }
        return valid;
    }

    ResourceRef groupRef(String name) {
        return ResourceRef.of(SYSTEM, connection, "model_package_group", name);
    }

    ResourceRef packageRef(String arn) {
        return ResourceRef.of(SYSTEM, connection, "model_package", arn);
    }

    RegisteredModel model(DescribeModelPackageGroupResponse group, Map<String, String> tags) {
        return new RegisteredModel(groupRef(group.modelPackageGroupName()), group.modelPackageGroupName(),
                group.modelPackageGroupDescription(), tags, Map.of(), group.creationTime(), group.creationTime());
    }

    RegisteredModel model(ModelPackageGroupSummary group) {
        return new RegisteredModel(groupRef(group.modelPackageGroupName()), group.modelPackageGroupName(),
                group.modelPackageGroupDescription(), Map.of(), Map.of(), group.creationTime(), group.creationTime());
    }

    ModelVersion version(DescribeModelPackageResponse p) {
        return version(p.modelPackageArn(), p.modelPackageGroupName(), String.valueOf(p.modelPackageVersion()),
                p.modelPackageDescription(), artifact(p.inferenceSpecification()), approval(p.modelApprovalStatus()),
                p.customerMetadataProperties(), p.creationTime(),
                p.lastModifiedTime() != null ? p.lastModifiedTime() : p.creationTime());
    }

    /**
     * A version from a package's fields, wherever they were read (the API, an EventBridge event): the metadata
     * properties are split into tags, metrics ({@code metric.<name>}) and the aliases the hub recorded; the hub's
     * other {@code switchboard.} entries are left out.
     */
    ModelVersion version(String arn, String group, String version, String description, ArtifactRef artifact,
                         ApprovalStatus approval, Map<String, String> properties, Instant created, Instant updated) {
        Map<String, String> tags = new LinkedHashMap<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        Set<String> aliases = new HashSet<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(ALIAS_PREFIX)) {
                aliases.add(key.substring(ALIAS_PREFIX.length()));
            } else if (key.startsWith(METRIC_PREFIX) && isNumber(value)) {
                metrics.put(key.substring(METRIC_PREFIX.length()), Double.parseDouble(value));
            } else if (!key.startsWith(RESERVED_PREFIX)) {
                tags.put(key, value);
            }
        });
        return new ModelVersion(packageRef(arn), group, version, description, null, artifact, aliases, null, approval,
                tags, metrics, Map.of(), created, updated);
    }

    /** A full package as {@code Search} returns it (the same fields as {@code DescribeModelPackage}). */
    ModelVersion version(ModelPackage p) {
        return version(p.modelPackageArn(), p.modelPackageGroupName(), String.valueOf(p.modelPackageVersion()),
                p.modelPackageDescription(), artifact(p.inferenceSpecification()), approval(p.modelApprovalStatus()),
                p.customerMetadataProperties(), p.creationTime(),
                p.lastModifiedTime() != null ? p.lastModifiedTime() : p.creationTime());
    }

    /**
     * Why SageMaker cannot hold a version tag as a metadata property: keys of 1-128 and values of 1-256 characters
     * of letters, digits, spaces and {@code _.:/=+-@} (no comma, no brace, no empty value), and not under
     * {@value #METRIC_PREFIX}, where metrics live (a numeric value would be read back as a metric).
     */
    static java.util.Optional<String> rejectsTag(String key, String value) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return java.util.Optional.of("SageMaker keys are 1-" + MAX_KEY_LENGTH + " characters");
        }
        if (value.isEmpty()) {
            return java.util.Optional.of("SageMaker holds no empty values");
        }
        if (!PROPERTY_TEXT.matcher(key).matches() || !PROPERTY_TEXT.matcher(value).matches()) {
            return java.util.Optional.of("SageMaker keys and values are letters, digits, spaces and _.:/=+-@ only");
        }
        if (key.startsWith(METRIC_PREFIX)) {
            return java.util.Optional.of("keys under " + METRIC_PREFIX + " hold the version's metrics in SageMaker");
        }
        return java.util.Optional.empty();
    }

    /** From a listing, which carries no metadata properties and no last-modified time. */
    ModelVersion version(ModelPackageSummary p) {
        return new ModelVersion(packageRef(p.modelPackageArn()), p.modelPackageGroupName(),
                String.valueOf(p.modelPackageVersion()), p.modelPackageDescription(), null, null, Set.of(), null,
                approval(p.modelApprovalStatus()), Map.of(), Map.of(), Map.of(), p.creationTime(), p.creationTime());
    }

    static ApprovalStatus approval(ModelApprovalStatus status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case APPROVED -> ApprovalStatus.APPROVED;
            case REJECTED -> ApprovalStatus.REJECTED;
            case PENDING_MANUAL_APPROVAL -> ApprovalStatus.PENDING;
            default -> null;
        };
    }

    static ModelApprovalStatus approval(ApprovalStatus status) {
        return switch (status) {
            case APPROVED -> ModelApprovalStatus.APPROVED;
            case REJECTED -> ModelApprovalStatus.REJECTED;
            case PENDING -> ModelApprovalStatus.PENDING_MANUAL_APPROVAL;
        };
    }

    /** Parses {@code Approved}, {@code Rejected} or {@code PendingManualApproval} (any case). */
    ModelApprovalStatus approval(String text) {
        for (ModelApprovalStatus status : List.of(ModelApprovalStatus.APPROVED, ModelApprovalStatus.REJECTED,
                ModelApprovalStatus.PENDING_MANUAL_APPROVAL)) {
            if (status.toString().equalsIgnoreCase(text.trim())) {
                return status;
            }
        }
        throw ConnectorException.configuration(connection, "approval status must be Approved, Rejected or "
                + "PendingManualApproval, was \"" + text + "\"");
    }

    private static ArtifactRef artifact(InferenceSpecification spec) {
        if (spec == null || !spec.hasContainers() || spec.containers().isEmpty()
                || spec.containers().get(0).modelDataUrl() == null) {
            return null;
        }
        try {
            return ArtifactRef.of(new URI(spec.containers().get(0).modelDataUrl()));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Checks entries against SageMaker's limits on {@code CustomerMetadataProperties} before a call, so a bad
     * entry fails as a configuration error that names it instead of as SageMaker's generic validation message.
     */
    Map<String, String> checkedProperties(Map<String, String> properties) {
        if (properties.size() > MAX_PROPERTIES) {
            throw ConnectorException.configuration(connection, "SageMaker keeps at most " + MAX_PROPERTIES
                    + " metadata properties on a model package, but " + properties.size() + " were given");
        }
        properties.forEach((key, value) -> {
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !PROPERTY_TEXT.matcher(key).matches()) {
                throw ConnectorException.configuration(connection, "metadata property key \"" + key
                        + "\" must be 1-" + MAX_KEY_LENGTH + " characters of letters, digits, spaces and _.:/=+-@");
            }
            if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH || !PROPERTY_TEXT.matcher(value).matches()) {
                throw ConnectorException.configuration(connection, "value of metadata property \"" + key
                        + "\" must be 1-" + MAX_VALUE_LENGTH + " characters of letters, digits, spaces and _.:/=+-@");
            }
        });
        return properties;
    }

    private static boolean isNumber(String value) {
        try {
            Double.parseDouble(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
