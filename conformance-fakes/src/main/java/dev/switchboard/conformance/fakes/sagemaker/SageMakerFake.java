package dev.switchboard.conformance.fakes.sagemaker;


import dev.switchboard.conformance.fakes.WireMockFake;
import dev.switchboard.spi.WebhookRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateful fake of the SageMaker Model Registry API (awsJson 1.1) on WireMock at a loopback port, with the
 * EventBridge events SageMaker emits for every package change, as an EventBridge API destination would deliver
 * them to the hub. See {@link SageMakerApi} for the wire behaviour. Point the AWS SDK at {@link #endpoint()} with
 * {@code endpointOverride} and any region and credentials (the signature's scope is checked, not its value).
 *
 * <p>In a JUnit test, the kit's {@code @Fake} starts it once per class and resets its state before each test:
 * <pre>{@code
 * @Fake
 * static final SageMakerFake SAGEMAKER = new SageMakerFake();
 * }</pre>
 */
public final class SageMakerFake extends WireMockFake<SageMakerFake> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Delivery> queued = new ArrayList<>();
    private final List<Delivery> sent = new ArrayList<>();
    private final SageMakerApi api = new SageMakerApi(this);

    @Override
    protected com.github.tomakehurst.wiremock.extension.Extension api() {
        return api;
    }
    private volatile String requiredAccessKeyId;
    private volatile boolean duplicateEvents;

    /**
     * One EventBridge event as an API destination POSTs it: the event JSON as the body, the connection's API key
     * in a header. EventBridge signs nothing.
     *
     * @param body the raw event JSON
     */
    public record Delivery(String eventId, byte[] body) {

        /** This delivery as the hub's webhook ingress sees it, with {@code header: secret}. */
        public WebhookRequest toRequest(String connection, String header, String secret, Instant receivedAt) {
            return new WebhookRequest(connection, Map.of("Content-Type", List.of("application/json"),
                    "User-Agent", List.of("Amazon/EventBridge/ApiDestinations"), header, List.of(secret)), body,
                    receivedAt);
        }

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    @Override
    protected synchronized void resetState() {
        api.reset();
        requiredAccessKeyId = null;
        duplicateEvents = false;
        synchronized (queued) {
            queued.clear();
            sent.clear();
        }
    }

    /** The endpoint to configure as {@code endpoint-override} ({@code http://127.0.0.1:<port>}). */
    public URI endpoint() {
        return loopbackUri();
    }

    public Clock clock() {
        return Clock.system(ZoneOffset.UTC);
    }

    /** From now on only requests signed with this access key id are answered; others get UnrecognizedClientException. */
    public SageMakerFake requireAccessKeyId(String accessKeyId) {
        requiredAccessKeyId = accessKeyId;
        return this;
    }

    String requiredAccessKeyId() {
        return requiredAccessKeyId;
    }

    /** The next call of {@code operation} ({@code UpdateModelPackage}) fails with this AWS error. */
    public SageMakerFake failNext(String operation, int status, String type, String message) {
        api.failNext(operation, status, type, message);
        return this;
    }

    /** While on, every state change is emitted twice with different EventBridge ids, as SageMaker may do. */
    public SageMakerFake duplicateEvents(boolean on) {
        duplicateEvents = on;
        return this;
    }

    // ---------------------------------------------------------------- EventBridge

    /** The events emitted so far, oldest first. */
    public List<Delivery> events() {
        synchronized (queued) {
            return List.copyOf(sent);
        }
    }

    void emitStateChange(ObjectNode described) {
        ObjectNode detail = described.deepCopy();
        detail.put("CreationTime", iso(detail.path("CreationTime").asDouble()));
        detail.put("LastModifiedTime", iso(detail.path("LastModifiedTime").asDouble()));
        String arn = detail.path("ModelPackageArn").asString();
        String region = arn.split(":")[3];
        for (int i = 0; i < (duplicateEvents ? 2 : 1); i++) {
            String id = UUID.randomUUID().toString();
            ObjectNode event = JSON.createObjectNode().put("version", "0").put("id", id)
                    .put("detail-type", "SageMaker Model Package State Change").put("source", "aws.sagemaker")
                    .put("account", SageMakerApi.ACCOUNT).put("time", iso(SageMakerApi.epoch(clock().instant())))
                    .put("region", region);
            event.putArray("resources").add(arn);
            event.set("detail", detail);
            synchronized (queued) {
                queued.add(new Delivery(id, event.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    void flushEvents() {
        synchronized (queued) {
            sent.addAll(queued);
            queued.clear();
        }
    }

    private static String iso(double epochSeconds) {
        return Instant.ofEpochMilli(Math.round(epochSeconds * 1000)).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // ---------------------------------------------------------------- seeding and inspection

    /**
     * Calls an operation directly, as another AWS client of the same account would (no HTTP, no signature, no
     * faults); changes emit events as usual.
     *
     * @throws IllegalStateException with SageMaker's error when the call fails
     */
    public JsonNode call(String operation, Map<String, ?> input) {
        SageMakerApi.Response response = api.handle("SageMaker." + operation, null, null,
                JSON.writeValueAsBytes(input));
        flushEvents();
        if (response.status() != 200) {
            throw new IllegalStateException(operation + " answered " + response.status() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** How many requests of {@code operation} ({@code Search}, {@code DescribeModelPackage}, ...) the fake served. */
    public long calls(String operation) {
        return server().getAllServeEvents().stream().filter(event -> ("SageMaker." + operation)
                .equals(event.getRequest().getHeader("X-Amz-Target"))).count();
    }

    /** DescribeModelPackage of {@code group}/{@code version}, as the API answers it. */

    public JsonNode describe(String group, int version) {
        String groupArn = call("DescribeModelPackageGroup", Map.of("ModelPackageGroupName", group))
                .get("ModelPackageGroupArn").asString();
        return call("DescribeModelPackage", Map.of("ModelPackageName",
                groupArn.replace(":model-package-group/", ":model-package/") + "/" + version));
    }

    /** The summaries of every versioned package of {@code group}, oldest first. */
    public List<JsonNode> packages(String group) {
        List<JsonNode> all = new ArrayList<>();
        call("ListModelPackages", Map.of("ModelPackageGroupName", group, "MaxResults", 100))
                .get("ModelPackageSummaryList").forEach(all::add);
        return all;
    }
}
