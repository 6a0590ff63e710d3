package dev.switchboard.routes.ingress;

import static dev.switchboard.routes.ingress.IngressHarness.GENERIC;
import static dev.switchboard.routes.ingress.IngressHarness.GITHUB;
import static dev.switchboard.routes.ingress.IngressHarness.MLFLOW;
import static dev.switchboard.routes.ingress.IngressHarness.SAGEMAKER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.WebhookIngress;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.EventType;
import dev.switchboard.model.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every over-long and out-of-range field of each connector's webhook is the sender's error: 400 with nothing stored
 * (and no inbox seq used up), never a 5xx that makes the sender retry a request that cannot succeed. Each row is a
 * correctly signed webhook that differs from an accepted one in one field.
 */
class OutOfRangeWebhooksTest {

    private static final String LONG = "x".repeat(2000);
    private static final String YEAR_1E9 = "+1000000000-01-01T00:00:00Z";
    private static final String YEAR_10000 = "+10000-01-01T00:00:00Z";

    @TempDir
    Path directory;

    private IngressHarness hub;

    @BeforeEach
    void open() {
        hub = new IngressHarness(directory);
    }

    @AfterEach
    void close() {
        hub.close();
    }

    /** A signed request: connection, headers and body. */
    record Webhook(String connection, Map<String, String> headers, byte[] body) {
    }

    // --- GitHub ---------------------------------------------------------------------------------------------

    static String workflowRun(String id, String repository, String startedAt, String updatedAt, String branch) {
        return """
                {"action":"completed","workflow_run":{"id":%s,"name":"deploy","path":".github/workflows/deploy.yml",
                 "status":"completed","conclusion":"success","head_branch":%s,"head_sha":"3484a3f",
                 "html_url":"https://github.com/o/r/actions/runs/1","run_started_at":"%s","updated_at":"%s"},
                 "repository":{"full_name":"%s"},"sender":{"login":"octocat"}}"""
                .formatted(id, branch, startedAt, updatedAt, repository);
    }

    static String validRun() {
        return workflowRun("30433642", "o/r", "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"");
    }

    static Webhook github(String event, String delivery, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new Webhook(GITHUB, IngressHarness.github(event, delivery, bytes), bytes);
    }

    static Stream<Arguments> github() {
        String ok = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("X-GitHub-Delivery of 600 characters (GitHub does not sign it)",
                        github("workflow_run", "d".repeat(600), validRun()), "id must be at most 512 characters, but was 607"),
                Arguments.of("fractional run id", github("workflow_run", ok, workflowRun("1.5", "o/r",
                        "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")), "workflow_run.id must be a positive integer, but was 1.5"),
                Arguments.of("run id as a string", github("workflow_run", ok, workflowRun("\"7\"", "o/r",
                        "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")), "workflow_run.id must be a positive integer"),
                Arguments.of("negative run id", github("workflow_run", ok, workflowRun("-4", "o/r",
                        "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")), "workflow_run.id must be a positive integer"),
                Arguments.of("run id beyond a long", github("workflow_run", ok, workflowRun("123456789012345678901234567890",
                        "o/r", "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")), "workflow_run.id must be a positive integer"),
                Arguments.of("run id 1e3", github("workflow_run", ok, workflowRun("1e3",
                        "o/r", "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")), "workflow_run.id must be a positive integer"),
                Arguments.of("start time in the year 1,000,000,000", github("workflow_run", ok, workflowRun("1", "o/r",
                        YEAR_1E9, "2024-05-01T10:15:30Z", "\"main\"")), "startTime must be between"),
                Arguments.of("end time in the year 10000", github("workflow_run", ok, workflowRun("1", "o/r",
                        "2024-05-01T10:00:00Z", YEAR_10000, "\"main\"")), "endTime must be between"),
                Arguments.of("repository name longer than a resource key holds", github("workflow_run", ok,
                        workflowRun("1", "o/" + LONG, "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"main\"")),
                        "nativeId must be at most 1008 characters"),
                Arguments.of("repository name that makes the subject too long", github("workflow_run", ok,
                        workflowRun("1", "o/" + "x".repeat(1003), "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z",
                                "\"main\"")), "subject must be at most 1024 characters, but was 1026"),
                Arguments.of("branch with NUL", github("workflow_run", ok, workflowRun("1", "o/r",
                        "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"ma\\u0000in\"")), "gitRef must not contain NUL"),
                Arguments.of("branch with an unpaired surrogate", github("workflow_run", ok, workflowRun("1", "o/r",
                        "2024-05-01T10:00:00Z", "2024-05-01T10:15:30Z", "\"ma\\ud800in\"")), "gitRef must be well-formed Unicode"),
                Arguments.of("fractional job run id", github("workflow_job", ok, """
                        {"action":"queued","workflow_job":{"id":5,"run_id":2.5,"name":"build","status":"queued"},
                         "repository":{"full_name":"o/r"}}"""), "workflow_job.run_id must be a positive integer, but was 2.5"),
                Arguments.of("job without run id", github("workflow_job", ok, """
                        {"action":"queued","workflow_job":{"id":5,"name":"build","status":"queued"},
                         "repository":{"full_name":"o/r"}}"""), "webhook payload lacks workflow_job.run_id"));
    }

    // --- MLflow ---------------------------------------------------------------------------------------------

    static String aliasCreated(String name, String alias, String timestamp) {
        return """
                {"entity":"model_version_alias","action":"created","timestamp":"%s",
                 "data":{"name":"%s","alias":"%s","version":"3"}}""".formatted(timestamp, name, alias);
    }

    static Webhook mlflow(String delivery, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new Webhook(MLFLOW, IngressHarness.mlflow(delivery, Instant.now().getEpochSecond(), bytes), bytes);
    }

    static Webhook databricks(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new Webhook(MLFLOW, IngressHarness.databricks(bytes), bytes);
    }

    static Stream<Arguments> mlflow() {
        String ok = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("delivery id of 600 characters", mlflow("d".repeat(600),
                        aliasCreated("churn", "champion", "2024-05-01T10:15:30Z")),
                        "X-MLflow-Delivery-Id must be at most 128 letters, digits and dashes"),
                Arguments.of("timestamp in the year 999,999,999", mlflow(ok,
                        aliasCreated("churn", "champion", "+999999999-01-01T00:00:00Z")), "time must be between"),
                Arguments.of("timestamp in the year 10000", mlflow(ok,
                        aliasCreated("churn", "champion", YEAR_10000)), "time must be between"),
                Arguments.of("model name that makes the subject too long", mlflow(ok,
                        aliasCreated(LONG, "champion", "2024-05-01T10:15:30Z")), "nativeId must be at most 1000 characters"),
                Arguments.of("alias with NUL", mlflow(ok,
                        aliasCreated("churn", "cham\\u0000pion", "2024-05-01T10:15:30Z")), "alias must not contain NUL"),
                Arguments.of("tag value with an unpaired surrogate", mlflow(ok, """
                        {"entity":"model_version_tag","action":"set","timestamp":"2024-05-01T10:15:30Z",
                         "data":{"name":"churn","version":"3","key":"k","value":"\\udc00"}}"""),
                        "value must be well-formed Unicode"),
                Arguments.of("Databricks event_timestamp far in the past", databricks("""
                        {"event":"REGISTERED_MODEL_CREATED","model_name":"churn","event_timestamp":-9000000000000000000}"""),
                        "createdAt must be between"),
                Arguments.of("Databricks event_timestamp beyond a long", databricks("""
                        {"event":"REGISTERED_MODEL_CREATED","model_name":"churn","event_timestamp":1e300}"""),
                        "event_timestamp must be epoch milliseconds (an integer within a long), but was 1.0E300"));
    }

    // --- SageMaker ------------------------------------------------------------------------------------------

    static String packageStateChange(String group, String creationTime, String modified, String description) {
        return """
                {"version":"0","id":"e1","detail-type":"SageMaker Model Package State Change","source":"aws.sagemaker",
                 "time":"2024-05-01T10:15:30Z","detail":{"ModelPackageGroupName":"%s","ModelPackageVersion":3,
                 "ModelPackageArn":"arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3",
                 "ModelApprovalStatus":"Approved","CreationTime":%s,"LastModifiedTime":%s,
                 "ModelPackageDescription":%s}}""".formatted(group, creationTime, modified, description);
    }

    static Webhook sagemaker(String body) {
        return new Webhook(SAGEMAKER, IngressHarness.sagemaker(), body.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> sagemaker() {
        return Stream.of(
                Arguments.of("numeric CreationTime 1e300", sagemaker(packageStateChange("churn", "1e300",
                        "1714558530", "null")), "CreationTime 1.0E300 is not epoch seconds between"),
                Arguments.of("numeric CreationTime -1e20", sagemaker(packageStateChange("churn", "-1e20",
                        "1714558530", "null")), "CreationTime -1.0E20 is not epoch seconds"),
                Arguments.of("numeric LastModifiedTime in the year 10000", sagemaker(packageStateChange("churn",
                        "1714558530", "253402300800", "null")), "LastModifiedTime 253402300800 is not epoch seconds"),
                Arguments.of("ISO CreationTime in the year 1,000,000,000", sagemaker(packageStateChange("churn",
                        "\"" + YEAR_1E9 + "\"", "null", "null")), "must be between"),
                Arguments.of("group name that makes the subject too long", sagemaker(packageStateChange(LONG,
                        "1714558530", "1714558530", "null")), "subject must be at most 1024 characters"),
                Arguments.of("description with NUL", sagemaker(packageStateChange("churn", "1714558530",
                        "1714558530", "\"a\\u0000b\"")), "description must not contain NUL"));
    }

    // --- generic (Standard Webhooks) ----------------------------------------------------------------------

    static Stream<Arguments> generic() {
        byte[] body = "{\"type\":\"model_version.alias_set\",\"model\":\"churn\",\"version\":\"3\",\"alias\":\"champion\"}"
                .getBytes(StandardCharsets.UTF_8);
        return Stream.of(Arguments.of("webhook-id of 600 characters",
                new Webhook(GENERIC, IngressHarness.generic("m".repeat(600), body), body), "webhook-id must be at most 256"));
    }

    @ParameterizedTest(name = "GitHub: {0}")
    @MethodSource("github")
    void gitHubWebhookWithAFieldOutOfRangeIsRefusedWith400AndNothingStored(String field, Webhook webhook, String says) {
        assertRefused(webhook, says);
    }

    @ParameterizedTest(name = "MLflow: {0}")
    @MethodSource("mlflow")
    void mlflowWebhookWithAFieldOutOfRangeIsRefusedWith400AndNothingStored(String field, Webhook webhook, String says) {
        assertRefused(webhook, says);
    }

    @ParameterizedTest(name = "SageMaker: {0}")
    @MethodSource("sagemaker")
    void sageMakerEventWithAFieldOutOfRangeIsRefusedWith400AndNothingStored(String field, Webhook webhook, String says) {
        assertRefused(webhook, says);
    }

    @ParameterizedTest(name = "generic: {0}")
    @MethodSource("generic")
    void genericWebhookWithAFieldOutOfRangeIsRefusedWith400AndNothingStored(String field, Webhook webhook, String says) {
        assertRefused(webhook, says);
    }

    @Test
    void refusedWebhooksUseUpNoInboxSeqAndTheBaselinesAreAccepted() {
        Stream.of(github(), mlflow(), sagemaker(), generic())
                .flatMap(rows -> rows)
                .forEach(row -> hub.send(((Webhook) row.get()[1]).connection(), ((Webhook) row.get()[1]).headers(),
                        ((Webhook) row.get()[1]).body()));

        Webhook run = github("workflow_run", UUID.randomUUID().toString(), validRun());
        assertThat(hub.send(run.connection(), run.headers(), run.body()).status()).isEqualTo(202);
        Webhook alias = mlflow(UUID.randomUUID().toString(), aliasCreated("churn", "champion", "2024-05-01T10:15:30Z"));
        assertThat(hub.send(alias.connection(), alias.headers(), alias.body()).status()).isEqualTo(202);
        Webhook change = sagemaker(packageStateChange("churn", "1714558530", "1714558530", "\"ok\""));
        assertThat(hub.send(change.connection(), change.headers(), change.body()).status()).isEqualTo(202);

        assertThat(hub.readBackEverything()).extracting(stored -> stored.seq()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void gitHubEventsWithoutARepositoryAreAcknowledgedAsIgnored() {
        for (String event : new String[] {"organization", "installation", "github_app_authorization", "security_advisory"}) {
            Webhook webhook = github(event, UUID.randomUUID().toString(), "{\"action\":\"created\",\"sender\":{}}");
            WebhookIngress.Result result = hub.send(webhook.connection(), webhook.headers(), webhook.body());
            assertThat(result).as(event).isInstanceOfSatisfying(WebhookIngress.Accepted.class,
                    accepted -> assertThat(accepted.ignored()).get().asString().contains(event));
        }
        assertThat(hub.stored()).isZero();
    }

    @Test
    void gitHubEventTypeFollowsTheRunStatusSoTheyAlwaysAgree() {
        String inProgressButActionCompleted = validRun().replace("\"status\":\"completed\"", "\"status\":\"in_progress\"");
        String noStatusActionCompleted = validRun().replace("\"status\":\"completed\",", "");
        Webhook first = github("workflow_run", UUID.randomUUID().toString(), inProgressButActionCompleted);
        Webhook second = github("workflow_run", UUID.randomUUID().toString(), noStatusActionCompleted);

        assertThat(hub.send(first.connection(), first.headers(), first.body()).status()).isEqualTo(202);
        assertThat(hub.send(second.connection(), second.headers(), second.body()).status()).isEqualTo(202);

        var events = hub.readBackEverything();
        assertThat(events.get(0).event().type()).isEqualTo(EventType.CI_RUN_STARTED);
        assertThat(((CiRun) events.get(0).event().data()).status()).isEqualTo(RunStatus.RUNNING);
        assertThat(events.get(1).event().type()).isEqualTo(EventType.CI_RUN_FINISHED);
        assertThat(((CiRun) events.get(1).event().data()).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    private void assertRefused(Webhook webhook, String says) {
        WebhookIngress.Result result = hub.send(webhook.connection(), webhook.headers(), webhook.body());

        assertThat(result).isInstanceOfSatisfying(WebhookIngress.Problem.class, problem -> {
            assertThat(problem.status()).isEqualTo(400);
            assertThat(problem.detail()).contains(says);
        });
        assertThat(hub.stored()).isZero();
    }

}
