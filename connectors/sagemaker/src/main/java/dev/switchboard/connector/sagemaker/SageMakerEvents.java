package dev.switchboard.connector.sagemaker;

import dev.switchboard.model.ApprovalChange;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.model.ModelApprovalStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Receives the EventBridge event "SageMaker Model Package State Change", as an EventBridge API destination
 * delivers it: the event JSON as the body, and the connection's shared secret in a header (EventBridge's API-key
 * authorization; it signs nothing, so the secret is compared in constant time and the body is not covered).
 *
 * <p>SageMaker may send several events for one state change, with different EventBridge ids. The canonical id is
 * therefore a digest of {@code (ModelPackageArn, ModelApprovalStatus, LastModifiedTime)}, so the inbox keeps one.
 * A package whose {@code LastModifiedTime} is absent or equals its {@code CreationTime} is
 * {@code model_version.created} (its id depends on the ARN alone: event times have whole seconds, so a change in
 * the same second as the creation looks like it); later changes are {@code model_version.updated}. Each event with
 * an approval status also yields {@code model_version.approval_changed} (the event does not say the previous
 * status, so {@code from} is null).
 * Times may be ISO strings (as in the documented example) or epoch seconds (as the API returns them).
 */
final class SageMakerEvents {

    static final String DETAIL_TYPE = "SageMaker Model Package State Change";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final double EARLIEST_SECONDS = CanonicalEvent.EARLIEST_TIME.getEpochSecond();
    private static final double LATEST_SECONDS = CanonicalEvent.LATEST_TIME.getEpochSecond();

    private final String connection;
    private final Optional<String> secret;
    private final String header;
    private final Clock clock;
    private final SageMakerMapper mapper;
    private final URI source;

    SageMakerEvents(String connection, Optional<String> secret, String header, Clock clock, SageMakerMapper mapper) {
        this.connection = connection;
        this.secret = secret;
        this.header = header;
        this.clock = clock;
        this.mapper = mapper;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    List<CanonicalEvent> receive(WebhookRequest request) {
        String expected = secret.orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE,
                "connection " + connection + " has no webhook-secret; set it to the API key of the EventBridge connection"));
        String given = request.header(header).orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE,
                "missing " + header + " header (the EventBridge connection's API key)"));
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, header + " does not match the webhook-secret of "
                    + "connection " + connection);
        }
        JsonNode event = parse(request.body());
        String detailType = event.path("detail-type").asString("");
        if (!DETAIL_TYPE.equals(detailType)) {
            throw new WebhookRejectedException(Reason.UNSUPPORTED, "EventBridge detail-type \"" + detailType
                    + "\" is not \"" + DETAIL_TYPE + "\"; narrow the rule's event pattern");
        }
        JsonNode detail = event.path("detail");
        String group = text(detail, "ModelPackageGroupName");
        String version = text(detail, "ModelPackageVersion");
        String arn = text(detail, "ModelPackageArn");
        String status = detail.path("ModelApprovalStatus").asString(null);
        Instant created = time(detail, "CreationTime")
                .orElseGet(() -> time(event, "time").orElse(clock.instant()));
        Optional<Instant> modified = time(detail, "LastModifiedTime");
        Instant updated = modified.orElse(created);
        ApprovalStatus approval = status == null ? null : SageMakerMapper.approval(ModelApprovalStatus.fromValue(status));
        ModelVersion data = mapper.version(arn, group, version, detail.path("ModelPackageDescription").asString(null),
                artifact(detail), approval, stringMap(detail.path("CustomerMetadataProperties")), created, updated);
        String subject = "models/" + group + "/versions/" + version;
        String identity = arn + "|" + status + "|" + updated;
        List<CanonicalEvent> events = new ArrayList<>();
        if (modified.isEmpty() || !updated.isAfter(created)) {
            // A package is created once: the id depends on the ARN alone, so a later event that still looks
            // like the creation (times have whole seconds) is the same event.
            events.add(new CanonicalEvent(id(arn, "created"), source, EventType.MODEL_VERSION_CREATED, subject,
                    created, data));
        } else {
            events.add(new CanonicalEvent(id(identity, "updated"), source, EventType.MODEL_VERSION_UPDATED, subject,
                    updated, data));
        }
        if (approval != null) {
            events.add(new CanonicalEvent(id(identity, "approval"), source, EventType.MODEL_VERSION_APPROVAL_CHANGED,
                    subject, updated, new ApprovalChange(group, version, null, approval, mapper.packageRef(arn))));
        }
        return events;
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new WebhookRejectedException(Reason.MALFORMED, "EventBridge event is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new WebhookRejectedException(Reason.MALFORMED, "EventBridge event is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asString().isBlank()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "EventBridge event lacks detail." + field);
        }
        return value.asString();
    }

    /**
     * ISO-8601 text or epoch seconds (with a fraction), both of which SageMaker uses. A number outside the years
     * an event may carry is the sender's error (400), not an overflow; unreadable text is taken as absent.
     */
    private static Optional<Instant> time(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isNumber()) {
            double seconds = node.asDouble();
            if (!(seconds >= EARLIEST_SECONDS && seconds <= LATEST_SECONDS)) {
                throw new WebhookRejectedException(Reason.MALFORMED, "EventBridge event's " + field + " "
                        + abbreviate(node.asString()) + " is not epoch seconds between "
                        + CanonicalEvent.EARLIEST_TIME + " and " + CanonicalEvent.LATEST_TIME);
            }
            long whole = (long) Math.floor(seconds);
            long nanos = Math.min(999_999_999L, Math.round((seconds - whole) * 1_000_000_000L));
            return Optional.of(Instant.ofEpochSecond(whole, nanos));
        }
        try {
            return Optional.of(Instant.parse(node.asString()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static ArtifactRef artifact(JsonNode detail) {
        String url = detail.path("InferenceSpecification").path("Containers").path(0).path("ModelDataUrl")
                .asString(null);
        try {
            return url == null ? null : ArtifactRef.of(new URI(url));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asString("")));
        return map;
    }

    private static String id(String identity, String kind) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((identity + "|" + kind)
                    .getBytes(StandardCharsets.UTF_8));
            return "sagemaker-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
