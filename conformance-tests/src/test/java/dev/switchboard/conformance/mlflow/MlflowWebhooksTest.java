package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.fakes.mlflow.MlflowWebhookSender;
import dev.switchboard.conformance.fakes.mlflow.MlflowWebhookSender.Delivery;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.Stage;
import dev.switchboard.model.StageChange;
import dev.switchboard.model.TagChange;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MLflow webhook verification and translation, with deliveries built exactly as MLflow and Databricks send them. */
class MlflowWebhooksTest {

    private static final String SECRET = "whsec-mlflow-7f3a";
    private static final String CONNECTION = "mlflow-prod";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final MlflowWebhookSender mlflow = new MlflowWebhookSender(SECRET, CLOCK);
    private final EventSource source = open(SECRET);

    private static EventSource open(String secret) {
        Map<String, String> options = new HashMap<>(Map.of("tracking-url", "http://127.0.0.1:1"));
        if (secret != null) {
            options.put("webhook-secret", secret);
        }
        return new MlflowConnector().open(new ConnectionConfig(CONNECTION, "mlflow", options),
                new ConnectorContext(CLOCK, ArtifactResolver.NONE)).eventSource().orElseThrow();
    }

    private static Map<String, Object> versionCreated() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "churn");
        data.put("version", "3");
        data.put("source", "models:/m-0123abcd");
        data.put("run_id", "6f1c0e2a9b5d4c3e8f7a6b5c4d3e2f1a");
        data.put("tags", Map.of("validated", "true"));
        data.put("description", "Modèle de churn – v3");
        return data;
    }

    private static WebhookRequest request(Delivery delivery) {
        return delivery.toRequest(CONNECTION, NOW);
    }

    private WebhookRejectedException rejected(WebhookRequest request) {
        WebhookRejectedException e = catchThrowableOfType(WebhookRejectedException.class, () -> source.receive(request));
        assertThat(e).as("rejection").isNotNull();
        assertThat(e.getMessage()).doesNotContain(SECRET);
        return e;
    }

    @Test
    void deliveryWithAGoodSignatureBecomesAnEventIdentifiedByItsDeliveryId() {
        Delivery delivery = mlflow.delivery("model_version", "created", versionCreated());
        assertThat(delivery.bodyText()).startsWith("{\"entity\": \"model_version\", \"action\": \"created\", ")
                .contains("Mod\\u00e8le de churn \\u2013 v3");
        assertThat(delivery.headers().get("X-MLflow-Signature")).startsWith("v1,");

        List<CanonicalEvent> events = source.receive(request(delivery));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.id()).isEqualTo(delivery.deliveryId());
            assertThat(event.type()).isEqualTo(EventType.MODEL_VERSION_CREATED);
            assertThat(event.subject()).isEqualTo("models/churn/versions/3");
            assertThat(event.source()).isEqualTo(URI.create("/connections/mlflow-prod"));
            assertThat(event.time()).isEqualTo(NOW);
            ModelVersion version = (ModelVersion) event.data();
            assertThat(version.version()).isEqualTo("3");
            assertThat(version.description()).isEqualTo("Modèle de churn – v3");
            assertThat(version.sourceRun().nativeId()).isEqualTo("6f1c0e2a9b5d4c3e8f7a6b5c4d3e2f1a");
            assertThat(version.artifact().uri()).isEqualTo(URI.create("models:/m-0123abcd"));
            assertThat(version.tags()).containsEntry("validated", "true");
        });
    }

    @Test
    void deliverySignedWithAnotherSecretIsRejectedAsABadSignature() {
        Delivery delivery = MlflowWebhookSender.resignedWith(
                mlflow.delivery("model_version", "created", versionCreated()), "another-secret");
        WebhookRejectedException e = rejected(request(delivery));
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains("X-MLflow-Signature does not match").contains("wrong secret");
    }

    @Test
    void deliveryWhoseBodyWasChangedIsRejectedAsABadSignature() {
        Delivery delivery = mlflow.delivery("model_version", "created", versionCreated());
        byte[] changed = delivery.bodyText().replace("\"version\": \"3\"", "\"version\": \"4\"")
                .getBytes(StandardCharsets.UTF_8);
        WebhookRejectedException e = rejected(new Delivery(delivery.deliveryId(), delivery.headers(), changed)
                .toRequest(CONNECTION, NOW));
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains("body was changed");
    }

    @Test
    void deliveryOlderThanFiveMinutesIsRejectedAsStale() {
        Delivery old = mlflow.delivery("id-old", NOW.minus(Duration.ofMinutes(5)).minusSeconds(1), "model_version",
                "created", versionCreated());
        WebhookRejectedException e = rejected(request(old));
        assertThat(e.reason()).isEqualTo(Reason.STALE);
        assertThat(e.getMessage()).contains("301 s away").contains("older than 300 s");
    }

    @Test
    void deliveryFromTheFutureIsRejectedAsStaleAndOneWithinTheWindowIsAccepted() {
        Delivery future = mlflow.delivery("id-future", NOW.plus(Duration.ofMinutes(6)), "model_version", "created",
                versionCreated());
        assertThat(rejected(request(future)).reason()).isEqualTo(Reason.STALE);
        Delivery recent = mlflow.delivery("id-recent", NOW.minus(Duration.ofMinutes(4)), "model_version", "created",
                versionCreated());
        assertThat(source.receive(request(recent))).hasSize(1);
    }

    @Test
    void deliveryWithoutASignatureHeaderIsRejectedNamingTheHeader() {
        Delivery unsigned = new MlflowWebhookSender(null, CLOCK).delivery("model_version", "created", versionCreated());
        assertThat(unsigned.headers()).doesNotContainKey("X-MLflow-Signature");
        WebhookRejectedException e = rejected(request(unsigned));
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains("missing X-MLflow-Signature header");
    }

    @Test
    void deliveryWithoutDeliveryIdOrTimestampIsRejectedAsMalformed() {
        Delivery delivery = mlflow.delivery("model_version", "created", versionCreated());
        for (String header : List.of("X-MLflow-Delivery-Id", "X-MLflow-Timestamp")) {
            Map<String, String> headers = new HashMap<>(delivery.headers());
            headers.remove(header);
            WebhookRejectedException e = rejected(new Delivery(delivery.deliveryId(), headers, delivery.body())
                    .toRequest(CONNECTION, NOW));
            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.getMessage()).isEqualTo("missing " + header + " header");
        }
    }

    /** Header values a signer with the secret could make but MLflow never sends: refused whatever they decode to. */
    static Stream<Arguments> headersMlflowDoesNotSend() {
        return Stream.of(
                Arguments.of("two signatures in one header", "X-MLflow-Signature", (UnaryOperator<String>) sig -> sig
                        + " v1,AAAA", Reason.BAD_SIGNATURE),
                Arguments.of("a signature list with commas", "X-MLflow-Signature", (UnaryOperator<String>) sig ->
                        "v1,AAAA," + sig.substring(3), Reason.BAD_SIGNATURE),
                Arguments.of("a space after v1,", "X-MLflow-Signature", (UnaryOperator<String>) sig ->
                        "v1, " + sig.substring(3), Reason.BAD_SIGNATURE),
                Arguments.of("no Base64 padding", "X-MLflow-Signature", (UnaryOperator<String>) sig ->
                        sig.substring(0, sig.length() - 1), Reason.BAD_SIGNATURE),
                Arguments.of("upper-case version", "X-MLflow-Signature", (UnaryOperator<String>) sig ->
                        "V1," + sig.substring(3), Reason.BAD_SIGNATURE),
                Arguments.of("the obsolete sha256=<hex> form", "X-MLflow-Signature", (UnaryOperator<String>) sig ->
                        "sha256=" + java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder()
                                .decode(sig.substring(3))), Reason.BAD_SIGNATURE),
                Arguments.of("a timestamp with a plus sign", "X-MLflow-Timestamp", (UnaryOperator<String>) ts ->
                        "+" + ts, Reason.MALFORMED),
                Arguments.of("a fractional timestamp", "X-MLflow-Timestamp", (UnaryOperator<String>) ts ->
                        ts + ".5", Reason.MALFORMED),
                Arguments.of("a negative timestamp", "X-MLflow-Timestamp", (UnaryOperator<String>) ts ->
                        "-" + ts, Reason.MALFORMED),
                Arguments.of("a delivery id with a space", "X-MLflow-Delivery-Id", (UnaryOperator<String>) id ->
                        id + " x", Reason.MALFORMED),
                Arguments.of("a non-ASCII delivery id", "X-MLflow-Delivery-Id", (UnaryOperator<String>) id ->
                        id + "\u00e9", Reason.MALFORMED),
                Arguments.of("a 129-character delivery id", "X-MLflow-Delivery-Id", (UnaryOperator<String>) id ->
                        "a".repeat(129), Reason.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headersMlflowDoesNotSend")
    void aDeliveryInAFormMlflowDoesNotSendIsRefusedEvenWhenSignedWithTheSecret(String what, String header,
                                                                              UnaryOperator<String> change,
                                                                              Reason reason) {
        Delivery original = mlflow.delivery("model_version", "created", versionCreated());
        Map<String, String> headers = new HashMap<>(original.headers());
        headers.put(header, change.apply(headers.get(header)));
        String id = headers.get("X-MLflow-Delivery-Id");
        String timestamp = headers.get("X-MLflow-Timestamp");
        if (!header.equals("X-MLflow-Signature")) { // signed as changed, so only the form is wrong
            headers.put("X-MLflow-Signature", "v1," + java.util.Base64.getEncoder().encodeToString(
                    WebhookSignatures.hmacSha256(SECRET, (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8),
                            original.body())));
        }

        WebhookRejectedException e = rejected(new Delivery(id, headers, original.body()).toRequest(CONNECTION, NOW));

        assertThat(e.reason()).as(what).isEqualTo(reason);
        assertThat(e.getMessage()).contains(header);
    }

    @Test
    void aSignatureHeaderSentTwiceIsRefusedWhicheverCopyIsRight() {
        Delivery delivery = mlflow.delivery("model_version", "created", versionCreated());
        String good = delivery.headers().get("X-MLflow-Signature");
        for (List<String> copies : List.of(List.of(good, "v1,AAAA"), List.of("v1,AAAA", good), List.of(good, good))) {
            Map<String, List<String>> headers = new HashMap<>();
            delivery.headers().forEach((name, value) -> headers.put(name, List.of(value)));
            headers.put("X-MLflow-Signature", copies);

            WebhookRejectedException e = rejected(new WebhookRequest(CONNECTION, headers, delivery.body(), NOW));

            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.getMessage()).contains("X-MLflow-Signature was sent 2 times");
        }
    }

    @Test
    void connectionWithoutAWebhookSecretRejectsEveryDelivery() {
        Delivery delivery = mlflow.delivery("model_version", "created", versionCreated());
        WebhookRejectedException e = catchThrowableOfType(WebhookRejectedException.class,
                () -> open(null).receive(request(delivery)));
        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).contains("has no webhook-secret");
    }

    @Test
    void aliasAndTagEventsTranslateToTheirCanonicalTypes() {
        CanonicalEvent aliasSet = single("model_version_alias", "created",
                Map.of("name", "churn", "alias", "champion", "version", "3"));
        assertThat(aliasSet.type()).isEqualTo(EventType.MODEL_VERSION_ALIAS_SET);
        assertThat((AliasChange) aliasSet.data()).extracting(AliasChange::alias, AliasChange::version)
                .containsExactly("champion", "3");
        CanonicalEvent aliasDeleted = single("model_version_alias", "deleted", Map.of("name", "churn", "alias", "champion"));
        assertThat(aliasDeleted.type()).isEqualTo(EventType.MODEL_VERSION_ALIAS_DELETED);
        assertThat(((AliasChange) aliasDeleted.data()).version()).isNull();
        CanonicalEvent tagSet = single("model_version_tag", "set",
                Map.of("name", "churn", "version", "3", "key", "validated", "value", "true"));
        assertThat(tagSet.type()).isEqualTo(EventType.MODEL_VERSION_TAG_SET);
        assertThat(((TagChange) tagSet.data()).value()).isEqualTo("true");
        CanonicalEvent tagDeleted = single("model_version_tag", "deleted",
                Map.of("name", "churn", "version", "3", "key", "validated"));
        assertThat(tagDeleted.type()).isEqualTo(EventType.MODEL_VERSION_TAG_DELETED);
        assertThat(single("registered_model", "created", Map.of("name", "churn", "tags", Map.of())).type())
                .isEqualTo(EventType.REGISTERED_MODEL_CREATED);
    }

    @Test
    void promptEventsAreAcknowledgedWithoutEventsAndUnknownEventsAreUnsupported() {
        assertThat(source.receive(request(mlflow.delivery("prompt", "created", Map.of("name", "p"))))).isEmpty();
        WebhookRejectedException e = rejected(request(mlflow.delivery("model_version", "exploded",
                Map.of("name", "churn"))));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(e.getMessage()).contains("model_version.exploded");
    }

    /** MLflow 3.6's "test webhook" delivery, as recorded from the real server (signed with {@code s3cr3t}). */
    @Test
    void theRecordedTestWebhookDeliveryIsVerifiedAndAcknowledgedWithoutAnEvent() throws Exception {
        tools.jackson.databind.JsonNode recorded = java.nio.file.Files.readAllLines(java.nio.file.Path.of(
                        getClass().getResource("/recordings/mlflow-3.6.0-webhook-deliveries.jsonl").toURI())).stream()
                .map(line -> tools.jackson.databind.json.JsonMapper.builder().build().readTree(line))
                .filter(line -> line.path("raw_body").asString().contains("abcd1234abcd5678")).findFirst()
                .orElseThrow();
        Map<String, List<String>> headers = new HashMap<>();
        recorded.path("headers").properties().forEach(h -> headers.put(h.getKey(), List.of(h.getValue().asString())));
        byte[] body = recorded.path("raw_body").asString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Instant sent = Instant.ofEpochSecond(Long.parseLong(recorded.path("headers").path("X-MLflow-Timestamp")
                .asString()));
        EventSource real = new MlflowConnector().open(new ConnectionConfig(CONNECTION, "mlflow", Map.of(
                        "tracking-url", "http://127.0.0.1:1", "webhook-secret", "s3cr3t")),
                new ConnectorContext(Clock.fixed(sent, ZoneOffset.UTC), ArtifactResolver.NONE)).eventSource()
                .orElseThrow();

        assertThat(real.receive(new WebhookRequest(CONNECTION, headers, body, sent))).isEmpty();
        body[body.length - 2] = (byte) ' '; // the signature is still checked: a changed test delivery is refused
        WebhookRejectedException changed = catchThrowableOfType(WebhookRejectedException.class,
                () -> real.receive(new WebhookRequest(CONNECTION, headers, body, sent)));
        assertThat(changed.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void testDeliveriesOfEveryEntityAreAcknowledgedButARealModelNamedExampleModelIsNot() {
        Map<String, Object> testVersion = new LinkedHashMap<>(Map.of("name", "example_model", "version", "1",
                "source", "models:/123", "run_id", "abcd1234abcd5678", "tags", Map.of("example_key", "example_value"),
                "description", "An example model version"));
        assertThat(source.receive(request(mlflow.delivery("model_version", "created", testVersion)))).isEmpty();
        assertThat(source.receive(request(mlflow.delivery("model_version_tag", "set", Map.of("name", "example_model",
                "version", "1", "key", "example_key", "value", "example_value"))))).isEmpty();
        assertThat(source.receive(request(mlflow.delivery("model_version_alias", "created", Map.of("name",
                "example_model", "alias", "example_alias", "version", "1"))))).isEmpty();
        assertThat(rejected(request(new MlflowWebhookSender("another-secret", CLOCK).delivery("model_version",
                "created", testVersion))).reason()).isEqualTo(Reason.BAD_SIGNATURE);

        Map<String, Object> real = new LinkedHashMap<>(versionCreated());
        real.put("name", "example_model");
        assertThat(source.receive(request(mlflow.delivery("model_version", "created", real)))).singleElement()
                .extracting(CanonicalEvent::subject).isEqualTo("models/example_model/versions/3");
    }

    @Test
    void databricksDeliveryWithAHexSignatureOverTheBodyIsVerifiedAndTranslated() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", "MODEL_VERSION_TRANSITIONED_STAGE");
        payload.put("webhook_id", "c5596721253c4b429368cf6f4341b88a");
        payload.put("event_timestamp", 1589859029343L);
        payload.put("model_name", "Airline_Delay_SparkML");
        payload.put("version", "8");
        payload.put("to_stage", "Production");
        payload.put("from_stage", "None");
        Delivery delivery = MlflowWebhookSender.databricks(SECRET, payload);
        assertThat(delivery.headers().get("X-Databricks-Signature")).matches("[0-9a-f]{64}");

        List<CanonicalEvent> events = source.receive(request(delivery));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.MODEL_VERSION_STAGE_CHANGED);
            assertThat(event.time()).isEqualTo(Instant.ofEpochMilli(1589859029343L));
            assertThat((StageChange) event.data()).extracting(StageChange::from, StageChange::to)
                    .containsExactly(Stage.NONE, Stage.PRODUCTION);
        });
        assertThat(source.receive(request(delivery)).get(0).id()).as("redelivery").isEqualTo(events.get(0).id());

        Delivery forged = MlflowWebhookSender.databricks("not-the-secret", payload);
        assertThat(rejected(request(forged)).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void databricksTagSetBecomesOneEventPerTag() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", "MODEL_VERSION_TAG_SET");
        payload.put("model_name", "churn");
        payload.put("version", "2");
        payload.put("tags", List.of(Map.of("key", "a", "value", "1"), Map.of("key", "b", "value", "2")));
        List<CanonicalEvent> events = source.receive(request(MlflowWebhookSender.databricks(SECRET, payload)));
        assertThat(events).extracting(e -> ((TagChange) e.data()).key()).containsExactly("a", "b");
        assertThat(events).extracting(CanonicalEvent::id).doesNotHaveDuplicates();
    }

    private CanonicalEvent single(String entity, String action, Map<String, ?> data) {
        List<CanonicalEvent> events = source.receive(request(mlflow.delivery(entity, action, data)));
        assertThat(events).hasSize(1);
        return events.get(0);
    }
}
