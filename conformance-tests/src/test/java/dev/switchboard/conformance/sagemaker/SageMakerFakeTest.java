package dev.switchboard.conformance.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.sagemaker.SageMakerFake;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pins the SageMaker fake's strictness on the wire, so it stays no kinder than SageMaker. */
class SageMakerFakeTest {

    @Fake
    static final SageMakerFake SAGEMAKER = new SageMakerFake();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SIGNED = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/sagemaker/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000";

    private static HttpResponse<String> post(String operation, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(SAGEMAKER.endpoint().resolve("/"))
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "SageMaker." + operation)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    @Test
    void listsPageWithNextTokenAndRejectMaxResultsAbove100() throws Exception {
        SAGEMAKER.call("CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn"));
        for (int i = 0; i < 5; i++) {
            SAGEMAKER.call("CreateModelPackage", Map.of("ModelPackageGroupName", "churn"));
        }
        JsonNode first = json(post("ListModelPackages", "{\"ModelPackageGroupName\":\"churn\",\"MaxResults\":2}", SIGNED));
        assertThat(first.get("ModelPackageSummaryList")).hasSize(2);
        JsonNode second = json(post("ListModelPackages", "{\"ModelPackageGroupName\":\"churn\",\"MaxResults\":2,"
                + "\"NextToken\":\"" + first.get("NextToken").asString() + "\"}", SIGNED));
        assertThat(second.get("ModelPackageSummaryList").get(0).get("ModelPackageVersion").asInt()).isEqualTo(3);

        HttpResponse<String> tooMany = post("ListModelPackageGroups", "{\"MaxResults\":101}", SIGNED);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(json(tooMany).get("__type").asString()).isEqualTo("ValidationException");
        assertThat(tooMany.headers().firstValue("x-amzn-ErrorType")).hasValueSatisfying(
                type -> assertThat(type).startsWith("ValidationException:"));
    }

    @Test
    void missingGroupIsAValidationExceptionThatSaysItDoesNotExist() throws Exception {
        HttpResponse<String> response = post("DescribeModelPackageGroup", "{\"ModelPackageGroupName\":\"nope\"}", SIGNED);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("__type").asString()).isEqualTo("ValidationException");
        assertThat(json(response).get("message").asString()).endsWith("model-package-group/nope does not exist.");
    }

    @Test
    void unsignedRequestsAndRequestsSignedForAnotherServiceAreRefused() throws Exception {
        assertThat(json(post("ListModelPackageGroups", "{}", null)).get("__type").asString())
                .isEqualTo("MissingAuthenticationTokenException");
        assertThat(json(post("ListModelPackageGroups", "{}", SIGNED.replace("/sagemaker/", "/s3/"))).get("__type")
                .asString()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void versionedSummariesHaveNoNameAndAListingWithoutGroupOrTypeIsUnversioned() throws Exception {
        SAGEMAKER.call("CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn"));
        SAGEMAKER.call("CreateModelPackage", Map.of("ModelPackageGroupName", "churn"));
        assertThat(json(post("ListModelPackages", "{}", SIGNED)).get("ModelPackageSummaryList")).isEmpty();
        JsonNode versioned = json(post("ListModelPackages", "{\"ModelPackageType\":\"Versioned\"}", SIGNED))
                .get("ModelPackageSummaryList").get(0);
        assertThat(versioned.has("ModelPackageName")).isFalse();
        assertThat(versioned.get("ModelPackageArn").asString()).endsWith(":model-package/churn/1");
    }

    @Test
    void repeatedClientTokenReturnsTheFirstPackageAndBothNamesAreRefused() throws Exception {
        SAGEMAKER.call("CreateModelPackageGroup", Map.of("ModelPackageGroupName", "churn"));
        String body = "{\"ModelPackageGroupName\":\"churn\",\"ClientToken\":\"5f0c7c1e-hub-42\"}";
        String first = json(post("CreateModelPackage", body, SIGNED)).get("ModelPackageArn").asString();
        assertThat(json(post("CreateModelPackage", body, SIGNED)).get("ModelPackageArn").asString()).isEqualTo(first);
        assertThat(SAGEMAKER.packages("churn")).hasSize(1);
        HttpResponse<String> both = post("CreateModelPackage",
                "{\"ModelPackageGroupName\":\"churn\",\"ModelPackageName\":\"churn\"}", SIGNED);
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(json(both).get("message").asString()).contains("cannot be specified");
    }

    @Test
    void unknownOperationsAndOtherMethodsAreRefused() throws Exception {
        assertThat(json(post("TeleportModel", "{}", SIGNED)).get("__type").asString()).isEqualTo("UnknownOperationException");
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(SAGEMAKER.endpoint() + "/models")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(404);
    }
}
