package dev.switchboard.connector.mlflow;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventData;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.Stage;
import dev.switchboard.model.StageChange;
import dev.switchboard.model.TagChange;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies and translates MLflow webhooks: MLflow 3 OSS deliveries ({@code X-MLflow-Signature: v1,<base64>}
 * over {@code delivery_id.timestamp.raw_body}, with a replay window on {@code X-MLflow-Timestamp}) and the older
 * Databricks registry webhooks ({@code X-Databricks-Signature}: hex HMAC-SHA256 over the raw body). Signatures
 * are always computed over the bytes as received, and compared in constant time.
 */
public final class MlflowWebhooks {

    public static final String SIGNATURE = "X-MLflow-Signature";
    public static final String DELIVERY_ID = "X-MLflow-Delivery-Id";
    public static final String TIMESTAMP = "X-MLflow-Timestamp";
    public static final String DATABRICKS_SIGNATURE = "X-Databricks-Signature";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern SIGNATURE_FORM = Pattern.compile("v1,[A-Za-z0-9+/]{43}=");
    private static final Pattern TIMESTAMP_FORM = Pattern.compile("[0-9]{1,12}");
    private static final Pattern DELIVERY_ID_FORM = Pattern.compile("[A-Za-z0-9-]{1,128}");
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** The model of the fixed example payload MLflow's "test webhook" call sends. */
    static final String TEST_MODEL = "example_model";
    private static final String TEST_RUN = "abcd1234abcd5678";
    private static final System.Logger LOG = System.getLogger(MlflowWebhooks.class.getName());

    private final String connection;
    private final Optional<String> secret;
    private final Duration maxAge;
    private final Clock clock;
    private final MlflowMapper mapper;
    private final URI source;

    MlflowWebhooks(String connection, Optional<String> secret, Duration maxAge, Clock clock, MlflowMapper mapper) {
        this.connection = connection;
        this.secret = secret;
        this.maxAge = maxAge;
        this.clock = clock;
        this.mapper = mapper;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    public List<CanonicalEvent> receive(WebhookRequest request) {
        String key = secret.orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE,
                "connection " + connection + " has no webhook-secret; set it to the secret of the MLflow webhook"));
        if (request.header(DATABRICKS_SIGNATURE).isPresent()) {
            return databricks(request, key);
        }
        return mlflow(request, key);
    }

    private List<CanonicalEvent> mlflow(WebhookRequest request, String key) {
        String signature = request.header(SIGNATURE).orElseThrow(() -> new WebhookRejectedException(
                Reason.BAD_SIGNATURE, "missing " + SIGNATURE + " header (set a secret on the MLflow webhook)"));
        String deliveryId = requireHeader(request, DELIVERY_ID);
        String timestamp = requireHeader(request, TIMESTAMP);
        if (!DELIVERY_ID_FORM.matcher(deliveryId).matches()) {
            throw new WebhookRejectedException(Reason.MALFORMED, DELIVERY_ID + " must be at most 128 letters, digits "
                    + "and dashes (MLflow sends a UUID)");
        }
        if (!TIMESTAMP_FORM.matcher(timestamp).matches()) {
            throw new WebhookRejectedException(Reason.MALFORMED, TIMESTAMP + " must be Unix seconds in digits only");
        }
        // Exactly what MLflow sends: one signature, standard Base64 of the 32-byte HMAC with its padding. A list,
        // another alphabet or a missing pad is not MLflow, whatever it decodes to.
        if (!SIGNATURE_FORM.matcher(signature).matches()) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, SIGNATURE
                    + " must be one v1,<standard Base64 of the HMAC-SHA256>, as MLflow sends it");
        }
        byte[] given = Base64.getDecoder().decode(signature.substring(3));
        byte[] prefix = (deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, hmac(key, prefix, request.body()))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, SIGNATURE
                    + " does not match the body: wrong secret, or the body was changed on the way");
        }
        long sentAt = Long.parseLong(timestamp);
        long skew = Math.abs(clock.instant().getEpochSecond() - sentAt);
        if (skew > maxAge.toSeconds()) {
            throw new WebhookRejectedException(Reason.STALE, TIMESTAMP + " " + sentAt + " is " + skew
                    + " s away from the hub's clock; deliveries older than " + maxAge.toSeconds() + " s are refused");
        }
        JsonNode payload = parse(request.body());
        String entity = text(payload, "entity");
        String action = text(payload, "action");
        JsonNode data = payload.path("data");
        Instant time = isoTime(payload.path("timestamp").asString(null));
        if (entity.startsWith("prompt") || entity.startsWith("budget_policy")) {
            return List.of(); // acknowledged: not model-registry events, and MLflow would only log a rejection
        }
        if (isTestDelivery(data)) {
            // Signed like any delivery and verified above, but about no real model: acknowledged, not stored.
            LOG.log(System.Logger.Level.INFO, "MLflow test webhook delivery {0} ({1}.{2}) arrived on connection {3}: "
                    + "signature verified; not stored as an event", deliveryId, entity, action, connection);
            return List.of();
        }
        String name = text(data, "name");
        return switch (entity + "." + action) {
            case "registered_model.created" -> List.of(event(deliveryId, EventType.REGISTERED_MODEL_CREATED,
                    "models/" + name, time, new RegisteredModel(mapper.modelRef(name), name,
                            data.path("description").asString(null), stringMap(data.path("tags")), Map.of(), time, time)));
            case "model_version.created" -> {
                String version = text(data, "version");
                String runId = data.path("run_id").asString(null);
                String sourceUri = data.path("source").asString(null);
                yield List.of(event(deliveryId, EventType.MODEL_VERSION_CREATED, subject(name, version), time,
                        new ModelVersion(mapper.versionRef(name, version), name, version,
                                data.path("description").asString(null),
                                runId == null || runId.isBlank() ? null : mapper.runRef(runId), artifact(sourceUri),
                                Set.of(), Stage.NONE, null, stringMap(data.path("tags")), Map.of(), Map.of(), time, time)));
            }
            case "model_version_tag.set", "model_version_tag.deleted" -> {
                String version = text(data, "version");
                boolean set = action.equals("set");
                yield List.of(event(deliveryId, set ? EventType.MODEL_VERSION_TAG_SET : EventType.MODEL_VERSION_TAG_DELETED,
                        subject(name, version), time, new TagChange(name, version, text(data, "key"),
                                set ? data.path("value").asString("") : null, mapper.versionRef(name, version))));
            }
            case "model_version_alias.created" -> {
                String version = text(data, "version");
                yield List.of(event(deliveryId, EventType.MODEL_VERSION_ALIAS_SET, subject(name, version), time,
                        new AliasChange(name, text(data, "alias"), version, mapper.modelRef(name))));
            }
            case "model_version_alias.deleted" -> List.of(event(deliveryId, EventType.MODEL_VERSION_ALIAS_DELETED,
                    "models/" + name, time, new AliasChange(name, text(data, "alias"), null, mapper.modelRef(name))));
            default -> throw new WebhookRejectedException(Reason.UNSUPPORTED,
                    "MLflow event " + entity + "." + action + " has no canonical event type");
        };
    }

    /**
     * Whether {@code data} is the fixed example MLflow's "test webhook" call sends (mlflow/webhooks: model
     * {@code example_model}, run {@code abcd1234abcd5678}, tag {@code example_key}, alias {@code example_alias}).
     * A real model may be called {@code example_model}; the example's run, tag or alias must match too.
     */
    private static boolean isTestDelivery(JsonNode data) {
        return TEST_MODEL.equals(data.path("name").asString(null))
                && (TEST_RUN.equals(data.path("run_id").asString(null))
                || "example_key".equals(data.path("key").asString(null)) || data.path("tags").has("example_key")
                || "example_alias".equals(data.path("alias").asString(null)));
    }

    /** Databricks sends no delivery id or timestamp header: the id is a digest of the body, stable across retries. */
    private List<CanonicalEvent> databricks(WebhookRequest request, String key) {
        String signature = request.header(DATABRICKS_SIGNATURE).orElseThrow();
        if (!HEX_SHA256.matcher(signature).matches()) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, DATABRICKS_SIGNATURE
                    + " must be the lower-case hex HMAC-SHA256 of the body, as Databricks sends it");
        }
        String expected = HexFormat.of().formatHex(hmac(key, new byte[0], request.body()));
        if (!MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII),
                expected.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, DATABRICKS_SIGNATURE
                    + " does not match the body: wrong secret, or the body was changed on the way");
        }
        JsonNode payload = parse(request.body());
        String event = text(payload, "event");
        String id = "databricks-" + sha256Hex(request.body()).substring(0, 32);
        Instant time = payload.hasNonNull("event_timestamp") ? epochMillis(payload.get("event_timestamp")) : clock.instant();
        if (event.startsWith("TRANSITION_REQUEST_") || event.equals("COMMENT_CREATED")) {
            return List.of(); // requests and comments change nothing in the registry
        }
        if (event.equals("REGISTERED_MODEL_CREATED")) {
            String name = text(payload, "model_name");
            return List.of(event(id, EventType.REGISTERED_MODEL_CREATED, "models/" + name, time,
                    new RegisteredModel(mapper.modelRef(name), name, null, Map.of(), Map.of(), time, time)));
        }
        String name = text(payload, "model_name");
        String version = text(payload, "version");
        if (event.equals("MODEL_VERSION_CREATED")) {
            return List.of(event(id, EventType.MODEL_VERSION_CREATED, subject(name, version), time,
                    new ModelVersion(mapper.versionRef(name, version), name, version, null, null, null, Set.of(),
                            Stage.NONE, null, Map.of(), Map.of(), Map.of(), time, time)));
        }
        if (event.equals("MODEL_VERSION_TAG_SET")) {
            List<CanonicalEvent> events = new ArrayList<>();
            for (JsonNode tag : payload.path("tags")) {
                String tagKey = text(tag, "key");
                events.add(event(id + "-" + tagKey, EventType.MODEL_VERSION_TAG_SET, subject(name, version), time,
                        new TagChange(name, version, tagKey, tag.path("value").asString(""),
                                mapper.versionRef(name, version))));
            }
            return events;
        }
        if (event.startsWith("MODEL_VERSION_TRANSITIONED_")) {
            Stage to = MlflowMapper.stage(text(payload, "to_stage"));
            return List.of(event(id, EventType.MODEL_VERSION_STAGE_CHANGED, subject(name, version), time,
                    new StageChange(name, version, MlflowMapper.stage(payload.path("from_stage").asString(null)), to,
                            mapper.versionRef(name, version))));
        }
        throw new WebhookRejectedException(Reason.UNSUPPORTED, "Databricks event " + event
                + " has no canonical event type");
    }

    private CanonicalEvent event(String id, EventType type, String subject, Instant time, EventData data) {
        return new CanonicalEvent(id, source, type, subject, time, data);
    }

    static String subject(String name, String version) {
        return "models/" + name + "/versions/" + version;
    }

    private Instant isoTime(String text) {
        if (text == null) {
            return clock.instant();
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return clock.instant();
        }
    }

    /** Databricks' {@code event_timestamp}: epoch milliseconds; the model refuses those outside years 0000–9999. */
    private static Instant epochMillis(JsonNode value) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            String shown = value.isValueNode() ? value.asString() : value.getNodeType().toString();
            throw new WebhookRejectedException(Reason.MALFORMED, "event_timestamp must be epoch milliseconds (an integer"
                    + " within a long), but was " + (shown.length() <= 40 ? shown : shown.substring(0, 40) + "…"));
        }
        return Instant.ofEpochMilli(value.longValue());
    }

    private static String requireHeader(WebhookRequest request, String name) {
        return request.header(name).filter(v -> !v.isBlank()).orElseThrow(() ->
                new WebhookRejectedException(Reason.MALFORMED, "missing " + name + " header"));
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new WebhookRejectedException(Reason.MALFORMED, "webhook body is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asString().isBlank()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook payload lacks field " + field);
        }
        return value.asString();
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asString()));
        return map;
    }

    private static ArtifactRef artifact(String source) {
        try {
            URI uri = source == null ? null : new URI(source);
            return uri == null || uri.getScheme() == null ? null : ArtifactRef.of(uri);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    static byte[] hmac(String key, byte[] prefix, byte[] body) {
        return WebhookSignatures.hmacSha256(key, prefix, body);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
