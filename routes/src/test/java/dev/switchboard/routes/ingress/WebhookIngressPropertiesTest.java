package dev.switchboard.routes.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.EventQuery;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.webhook.WebhookIngress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated webhooks against the real ingress and an H2 store, per connector: a payload the connector accepts, with
 * one to four fields replaced by hostile values (huge, negative and fractional numbers, times beyond four-digit years,
 * over-long strings, unicode and control characters, NUL, unpaired surrogates, wrong types) or removed, and a
 * generated delivery id, all correctly signed so they reach translation. Whatever the sender does: the answer is never
 * a 5xx (the store is up), a refusal stores nothing, and every stored event reads back from the database, decodes,
 * and survives the CloudEvents forms routes and the webhook sender use.
 */
class WebhookIngressPropertiesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final EventCodec CODEC = new EventCodec();
    private static Path directory;
    private static IngressHarness hub;

    @BeforeContainer
    static void open() throws IOException {
        directory = Files.createTempDirectory("ingress-properties");
        hub = new IngressHarness(directory);
    }

    @AfterContainer
    static void close() throws IOException {
        hub.close();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A field to replace (a dotted path) and its new value; a {@code null} value removes the field. */
    record Mutation(String path, JsonNode value) {
    }

    // --- GitHub ---------------------------------------------------------------------------------------------

    @Property(tries = 300, seed = "20260514")
    void gitHubWorkflowRunsAreStoredReadablyOrRefusedWith4xx(@ForAll("gitHubMutations") List<Mutation> mutations,
                                                            @ForAll("deliveryIds") String delivery) {
        ObjectNode payload = (ObjectNode) parse("""
                {"action":"completed","workflow_run":{"id":30433642,"name":"deploy","path":".github/workflows/deploy.yml",
                 "status":"completed","conclusion":"success","head_branch":"main","head_sha":"3484a3f",
                 "display_title":"deploy model=churn version=3","html_url":"https://github.com/o/r/actions/runs/1",
                 "created_at":"2024-05-01T10:00:00Z","run_started_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:15:30Z"},
                 "repository":{"full_name":"o/r"},"sender":{"login":"octocat"}}""");
        byte[] body = bytes(mutate(payload, mutations));
        check(IngressHarness.GITHUB, IngressHarness.github("workflow_run", delivery, body), body);
    }

    @Provide
    Arbitrary<List<Mutation>> gitHubMutations() {
        return mutations("action", "workflow_run", "workflow_run.id", "workflow_run.name", "workflow_run.path",
                "workflow_run.status", "workflow_run.conclusion", "workflow_run.head_branch", "workflow_run.head_sha",
                "workflow_run.display_title", "workflow_run.html_url", "workflow_run.created_at",
                "workflow_run.run_started_at", "workflow_run.updated_at", "repository", "repository.full_name");
    }

    // --- MLflow ---------------------------------------------------------------------------------------------

    @Property(tries = 300, seed = "20260514")
    void mlflowEventsAreStoredReadablyOrRefusedWith4xx(@ForAll("mlflowPayloads") ObjectNode base,
                                                      @ForAll("mlflowMutations") List<Mutation> mutations,
                                                      @ForAll("deliveryIds") String delivery) {
        byte[] body = bytes(mutate(base, mutations));
        check(IngressHarness.MLFLOW, IngressHarness.mlflow(delivery, Instant.now().getEpochSecond(), body), body);
    }

    @Provide
    Arbitrary<ObjectNode> mlflowPayloads() {
        return Arbitraries.of(
                """
                {"entity":"model_version","action":"created","timestamp":"2024-05-01T10:15:30Z",
                 "data":{"name":"churn","version":"3","run_id":"r1","source":"s3://b/m","description":"d","tags":{"k":"v"}}}""",
                """
                {"entity":"model_version_alias","action":"created","timestamp":"2024-05-01T10:15:30Z",
                 "data":{"name":"churn","alias":"champion","version":"3"}}""",
                """
                {"entity":"model_version_tag","action":"set","timestamp":"2024-05-01T10:15:30Z",
                 "data":{"name":"churn","version":"3","key":"k","value":"v"}}""",
                """
                {"entity":"registered_model","action":"created","timestamp":"2024-05-01T10:15:30Z",
                 "data":{"name":"churn","description":"d","tags":{"team":"risk"}}}""")
                .map(text -> (ObjectNode) parse(text));
    }

    @Provide
    Arbitrary<List<Mutation>> mlflowMutations() {
        return mutations("entity", "action", "timestamp", "data", "data.name", "data.version", "data.alias",
                "data.key", "data.value", "data.run_id", "data.source", "data.description", "data.tags", "data.tags.k");
    }

    // --- SageMaker ------------------------------------------------------------------------------------------

    @Property(tries = 300, seed = "20260514")
    void sageMakerEventsAreStoredReadablyOrRefusedWith4xx(@ForAll("sageMakerMutations") List<Mutation> mutations) {
        ObjectNode payload = (ObjectNode) parse("""
                {"version":"0","id":"e1","detail-type":"SageMaker Model Package State Change","source":"aws.sagemaker",
                 "time":"2024-05-01T10:15:30Z","detail":{"ModelPackageGroupName":"churn","ModelPackageVersion":3,
                 "ModelPackageArn":"arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3",
                 "ModelApprovalStatus":"Approved","CreationTime":1714558530.25,"LastModifiedTime":1714558600,
                 "ModelPackageDescription":"d","CustomerMetadataProperties":{"metric.auc":"0.9","team":"risk"},
                 "InferenceSpecification":{"Containers":[{"ModelDataUrl":"s3://b/model.tar.gz"}]}}}""");
        byte[] body = bytes(mutate(payload, mutations));
        check(IngressHarness.SAGEMAKER, IngressHarness.sagemaker(), body);
    }

    @Provide
    Arbitrary<List<Mutation>> sageMakerMutations() {
        return mutations("time", "detail", "detail.ModelPackageGroupName", "detail.ModelPackageVersion",
                "detail.ModelPackageArn", "detail.ModelApprovalStatus", "detail.CreationTime",
                "detail.LastModifiedTime", "detail.ModelPackageDescription", "detail.CustomerMetadataProperties",
                "detail.CustomerMetadataProperties.metric.auc", "detail.InferenceSpecification");
    }

    // --- generic (Standard Webhooks) ----------------------------------------------------------------------

    @Property(tries = 200, seed = "20260514")
    void genericWebhooksAreStoredReadablyOrRefusedWith4xx(@ForAll("genericMutations") List<Mutation> mutations,
                                                         @ForAll("deliveryIds") String id) {
        ObjectNode payload = (ObjectNode) parse(
                "{\"type\":\"model_version.alias_set\",\"model\":\"churn\",\"version\":\"3\",\"alias\":\"champion\"}");
        byte[] body = bytes(mutate(payload, mutations));
        check(IngressHarness.GENERIC, IngressHarness.generic(id, body), body);
    }

    @Provide
    Arbitrary<List<Mutation>> genericMutations() {
        return mutations("type", "model", "version", "alias");
    }

    // --- generators -----------------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> deliveryIds() {
        return Arbitraries.oneOf(
                Arbitraries.create(() -> UUID.randomUUID().toString()),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40),
                Arbitraries.strings().alpha().ofMinLength(500).ofMaxLength(700),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(5));
    }

    private static Arbitrary<List<Mutation>> mutations(String... paths) {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.of(paths), hostileValues().injectNull(0.15))
                .as(Mutation::new);
        return mutation.list().ofMinSize(1).ofMaxSize(4);
    }

    private static Arbitrary<JsonNode> hostileValues() {
        Arbitrary<JsonNode> numbers = Arbitraries.oneOf(
                Arbitraries.of(1e300, -1e300, 1.5, -0.5, 1e19, 253402300800.0, -62167219201.0, 1714558530.999999999)
                        .map(NODES::numberNode),
                Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 253402300800L, -62167219201L, 9_223_372_036_854L)
                        .map(NODES::numberNode),
                Arbitraries.of(new BigInteger("123456789012345678901234567890"), BigInteger.TEN.pow(400).negate())
                        .map(NODES::numberNode));
        Arbitrary<JsonNode> times = Arbitraries.of("+1000000000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "-0001-12-31T23:59:59Z", "1970-01-01T00:00:00+14:00", "2024-02-30T10:00:00Z", "yesterday", "")
                .map(NODES::stringNode);
        Arbitrary<JsonNode> strings = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(4),
                Arbitraries.of("\u0000", "a\uD800b", "\uDC00", "🚀模型", "completed", "in_progress", "success",
                        "Approved", "Rejected", "PendingManualApproval", "s3://b/k", "not a uri ::", "model_version"),
                Arbitraries.strings().alpha().ofMinLength(500).ofMaxLength(2100))
                .map(NODES::stringNode);
        Arbitrary<JsonNode> otherTypes = Arbitraries.of(NODES.booleanNode(true), NODES.nullNode(), NODES.objectNode(),
                NODES.arrayNode().add(1).add("x"), parse("{\"full_name\":\"o/r\",\"id\":{\"deep\":[1.5]}}"));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, numbers), net.jqwik.api.Tuple.of(3, times),
                net.jqwik.api.Tuple.of(4, strings), net.jqwik.api.Tuple.of(1, otherTypes));
    }

    // --- the property ---------------------------------------------------------------------------------------

    private static void check(String connection, Map<String, String> headers, byte[] body) {
        long before = hub.store.inbox().lastSeq();
        WebhookIngress.Result result = hub.send(connection, headers, body);
        // Printed with each property's report: how the tries split between stored, ignored and refused.
        Statistics.collect(result.status(), result instanceof WebhookIngress.Accepted accepted && accepted.stored() > 0);

        assertThat(result.status()).as("answer to %s: %s", connection, result).isLessThan(500);
        List<InboxEntry> added = hub.store.inbox().searchEntries(new EventQuery(null, null, null, null, null, null), 20)
                .stream().filter(entry -> entry.seq() > before).toList();
        if (!(result instanceof WebhookIngress.Accepted accepted)) {
            assertThat(added).as("a refused webhook stores nothing").isEmpty();
            return;
        }
        assertThat(added).hasSize(accepted.stored());
        for (InboxEntry entry : added) {
            assertThat(entry).as("read back from the database").isInstanceOf(StoredEvent.class);
            var event = ((StoredEvent) entry).event();
            assertThat(CODEC.fromJson(CODEC.toJson(event))).isEqualTo(event);
            assertThat(CODEC.fromCloudEvent(CODEC.toCloudEvent(event))).isEqualTo(event);
        }
    }

    private static ObjectNode mutate(ObjectNode payload, List<Mutation> mutations) {
        for (Mutation mutation : mutations) {
            String[] steps = mutation.path().split("\\.");
            ObjectNode parent = payload;
            for (int i = 0; i < steps.length - 1; i++) {
                JsonNode child = parent.get(steps[i]);
                if (!(child instanceof ObjectNode object)) {
                    parent = null;
                    break;
                }
                parent = object;
            }
            if (parent == null) {
                continue; // an earlier mutation replaced the parent: nothing left to change here
            }
            String field = steps[steps.length - 1];
            if (mutation.value() == null) {
                parent.remove(field);
            } else {
                parent.set(field, mutation.value());
            }
        }
        return payload;
    }

    private static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    private static byte[] bytes(JsonNode node) {
        return JSON.writeValueAsBytes(node);
    }
}
