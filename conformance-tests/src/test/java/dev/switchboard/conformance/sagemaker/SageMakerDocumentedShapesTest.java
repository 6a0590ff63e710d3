package dev.switchboard.conformance.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The SageMaker fake answers in the shapes AWS documents (botocore's {@code service-2.json}, as summarised in
 * {@code shared/reference/cloud-registries-and-ci.md} §1.2–1.5), and is no kinder than SageMaker about what it
 * accepts: a fake that took a comma in a metadata value would hide the failure a real sync meets.
 */
class SageMakerDocumentedShapesTest {

    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();

    private static JsonNode createPackage(Map<String, ?> extra) {
        SAGEMAKER.call("CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn"));
        Map<String, Object> input = new java.util.LinkedHashMap<>(Map.of("ModelPackageGroupName", "churn"));
        input.putAll(extra);
        return SAGEMAKER.call("CreateModelPackage", input);
    }

    @Test
    void describeModelPackageHasTheAlwaysPresentFieldsAndTheDefaultApproval() {
        createPackage(Map.of("CustomerMetadataProperties", Map.of("team", "ml")));

        JsonNode described = SAGEMAKER.describe("churn", 1);

        assertThat(described.path("ModelPackageName").isString()).isTrue();
        assertThat(described.path("ModelPackageArn").asString())
                .matches("arn:aws:sagemaker:[a-z0-9-]+:\\d{12}:model-package/churn/1");
        assertThat(described.path("CreationTime").isNumber()).as("epoch seconds, a JSON number").isTrue();
        assertThat(described.path("ModelPackageStatus").asString()).isIn("Pending", "InProgress", "Completed",
                "Failed", "Deleting");
        assertThat(described.path("ModelPackageStatusDetails").path("ValidationStatuses").isArray()).isTrue();
        assertThat(described.path("ModelPackageVersion").isIntegralNumber()).isTrue();
        assertThat(described.path("ModelApprovalStatus").asString()).isEqualTo("PendingManualApproval");
        assertThat(described.path("CustomerMetadataProperties").path("team").asString()).isEqualTo("ml");
    }

    @Test
    void listSummariesCarryNoMetadataButSearchRecordsCarryTheWholePackageWithTags() {
        createPackage(Map.of("CustomerMetadataProperties", Map.of("team", "ml"),
                "Tags", List.of(Map.of("Key", "switchboard.key", "Value", "k1"))));

        JsonNode summary = SAGEMAKER.call("ListModelPackages", Map.of("ModelPackageGroupName", "churn"))
                .path("ModelPackageSummaryList").path(0);
        JsonNode found = SAGEMAKER.call("Search", Map.of("Resource", "ModelPackage", "SearchExpression",
                Map.of("Filters", List.of(Map.of("Name", "Tags.switchboard.key", "Operator", "Equals",
                        "Value", "k1"))))).path("Results").path(0).path("ModelPackage");

        assertThat(summary.has("ModelPackageArn") && summary.has("CreationTime") && summary.has("ModelPackageStatus"))
                .isTrue();
        assertThat(summary.has("CustomerMetadataProperties")).as("summaries carry no metadata").isFalse();
        assertThat(found.path("CustomerMetadataProperties").path("team").asString()).isEqualTo("ml");
        assertThat(found.path("Tags").path(0).path("Key").asString()).isEqualTo("switchboard.key");
        assertThat(found.path("ModelPackageVersion").asInt()).isEqualTo(1);
    }

    /** CustomerMetadataProperties: keys 1–128, values 1–256 of {@code [\p{L}\p{Z}\p{N}_.:/=+\-@]}. */
    @ParameterizedTest
    @ValueSource(strings = {"a,b", "{x}", "", "k>128"})
    void metadataPropertiesSageMakerCannotHoldAreAValidationException(String value) {
        Map<String, String> property = value.equals("k>128") ? Map.of("k".repeat(129), "v") : Map.of("note", value);

        IllegalStateException refused = catchThrowableOfType(IllegalStateException.class,
                () -> createPackage(Map.of("CustomerMetadataProperties", property)));

        assertThat(refused.getMessage()).contains("answered 400").contains("\"__type\":\"ValidationException\"");
    }

    /** Tags: keys 1–128, values 0–256: an empty tag value is fine, a key over 128 characters is not. */
    @Test
    void tagsTakeEmptyValuesButNotLongKeys() {
        createPackage(Map.of("Tags", List.of(Map.of("Key", "empty", "Value", ""))));
        IllegalStateException refused = catchThrowableOfType(IllegalStateException.class, () -> SAGEMAKER.call(
                "CreateModelPackage", Map.of("ModelPackageGroupName", "churn",
                        "Tags", List.of(Map.of("Key", "k".repeat(129), "Value", "v")))));

        assertThat(refused.getMessage()).contains("ValidationException");
    }

    @Test
    void groupNamesFollowSageMakersPatternAndNotFoundIsAValidationExceptionSayingDoesNotExist() {
        IllegalStateException badName = catchThrowableOfType(IllegalStateException.class, () -> SAGEMAKER.call(
                "CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn_model")));
        IllegalStateException missing = catchThrowableOfType(IllegalStateException.class, () -> SAGEMAKER.call(
                "DescribeModelPackageGroup", Map.of("ModelPackageGroupName", "nowhere")));

        assertThat(badName.getMessage()).contains("ValidationException").contains("regular expression pattern");
        assertThat(missing.getMessage()).contains("answered 400").contains("\"__type\":\"ValidationException\"")
                .contains("does not exist.");
    }
}
