package dev.switchboard.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventData;
import dev.switchboard.model.EventType;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes canonical events as CloudEvents 1.0: as a structured-mode JSON document
 * ({@value #STRUCTURED_CONTENT_TYPE}) and as the CloudEvents SDK's {@link CloudEvent}, with the payload
 * record as JSON data.
 *
 * <p>The wire form of {@code data} is what the JSON Schemas under {@code dev/switchboard/model/schema/}
 * describe: null fields are omitted, empty collections are written as {@code {}} or {@code []}, instants are
 * RFC 3339 strings, enums are their constant names, and a property the record does not have is an error
 * when reading. Extension attributes of the envelope are ignored.
 *
 * <p>Instances are immutable and thread-safe; one per application is enough.
 */
public final class EventCodec {

    /** The media type of a structured-mode CloudEvent in JSON. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";

    /** The {@code datacontenttype} the codec writes. */
    public static final String DATA_CONTENT_TYPE = "application/json";

    private static final String SPEC_VERSION = "1.0";

    private final JsonMapper mapper = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            // Jackson 3 ignores unknown properties by default; the schemas forbid them, so reading does too.
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Jackson 3 writes enums with toString() by default; the wire names are the constant names.
            .disable(EnumFeature.WRITE_ENUMS_USING_TO_STRING, EnumFeature.READ_ENUMS_USING_TO_STRING)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    /**
     * The mapper the codec uses, configured for the wire policy above, for code that reads or writes
     * canonical records outside an envelope. Jackson 3 mappers are immutable, so sharing it is safe.
     */
    public JsonMapper jsonMapper() {
        return mapper;
    }

    /** Writes the event as a structured-mode CloudEvents JSON document, UTF-8 encoded. */
    public byte[] toJson(CanonicalEvent event) {
        return mapper.writeValueAsBytes(envelope(event));
    }

    /** Writes the event as a structured-mode CloudEvents JSON document. */
    public String toJsonString(CanonicalEvent event) {
        return mapper.writeValueAsString(envelope(event));
    }

    /**
     * Reads a structured-mode CloudEvents JSON document. The {@code type} attribute (with its
     * {@value EventType#CLOUDEVENTS_PREFIX} prefix) decides which record {@code data} must be.
     *
     * @throws EventFormatException naming the attribute or data field at fault
     */
    public CanonicalEvent fromJson(byte[] json) {
        JsonNode root = parse(null, json);
        if (!root.isObject()) {
            throw new EventFormatException(null, "a CloudEvent must be a JSON object, but was " + root.getNodeType());
        }
        String specVersion = attribute(root, "specversion");
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new EventFormatException("specversion",
                    "specversion must be \"" + SPEC_VERSION + "\", but was " + quote(specVersion));
        }
        EventType type = eventType(attribute(root, "type"));
        String id = attribute(root, "id");
        URI source = source(attribute(root, "source"));
        String subject = attribute(root, "subject");
        Instant time = time(attribute(root, "time"));
        if (root.hasNonNull("datacontenttype")) {
            requireJsonContent(attribute(root, "datacontenttype"));
        }
        return new CanonicalEvent(id, source, type, subject, time, readData(type, dataNode(root)));
    }

    /**
     * Reads a structured-mode CloudEvents JSON document.
     *
     * @throws EventFormatException naming the attribute or data field at fault
     */
    public CanonicalEvent fromJson(String json) {
        return fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Converts the event to a CloudEvents SDK event, with the data as JSON bytes, for the SDK's transports. */
    public CloudEvent toCloudEvent(CanonicalEvent event) {
        return CloudEventBuilder.v1()
                .withId(event.id())
                .withSource(event.source())
                .withType(event.type().cloudEventType())
                .withSubject(event.subject())
                .withTime(event.time().atOffset(ZoneOffset.UTC))
                .withData(DATA_CONTENT_TYPE, dataJson(event.data()))
                .build();
    }

    /**
     * Converts a CloudEvents SDK event to a canonical event. The type must carry the
     * {@value EventType#CLOUDEVENTS_PREFIX} prefix and the data must be JSON; a missing
     * {@code datacontenttype} is taken to mean JSON.
     *
     * @throws EventFormatException naming the attribute or data field at fault
     */
    public CanonicalEvent fromCloudEvent(CloudEvent event) {
        EventType type = eventType(event.getType());
        String id = requireText("id", event.getId());
        String subject = requireText("subject", event.getSubject());
        OffsetDateTime time = event.getTime();
        if (time == null) {
            throw new EventFormatException("time", "time is missing");
        }
        if (event.getDataContentType() != null) {
            requireJsonContent(event.getDataContentType());
        }
        CloudEventData data = event.getData();
        if (data == null) {
            throw new EventFormatException("data", "data is missing");
        }
        return new CanonicalEvent(id, event.getSource(), type, subject, time.toInstant(),
                readData(type, parse("data", data.toBytes())));
    }

    /** Writes an event's payload as JSON, UTF-8 encoded, in the form its type's JSON Schema describes. */
    public byte[] dataJson(EventData data) {
        return mapper.writeValueAsBytes(data);
    }

    private ObjectNode envelope(CanonicalEvent event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("specversion", SPEC_VERSION);
        node.put("id", event.id());
        node.put("source", event.source().toString());
        node.put("type", event.type().cloudEventType());
        node.put("subject", event.subject());
        node.put("time", event.time().toString()); // ISO_INSTANT, which is RFC 3339 in UTC
        node.put("datacontenttype", DATA_CONTENT_TYPE);
        node.set("data", mapper.valueToTree(event.data()));
        return node;
    }

    private JsonNode parse(String field, byte[] json) {
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new EventFormatException(field, (field == null ? "document" : field) + " is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new EventFormatException(field,
                    (field == null ? "document" : field) + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode dataNode(JsonNode root) {
        if (root.hasNonNull("data")) {
            return root.get("data");
        }
        if (root.hasNonNull("data_base64")) {
            // The JSON format allows data as base64 too; a sender that does not know the data is JSON uses it.
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(attribute(root, "data_base64"));
            } catch (IllegalArgumentException e) {
                throw new EventFormatException("data_base64", "data_base64 is not valid base64: " + e.getMessage(), e);
            }
            return parse("data_base64", bytes);
        }
        throw new EventFormatException("data", "data is missing");
    }

    private EventData readData(EventType type, JsonNode data) {
        try {
            return mapper.treeToValue(data, type.dataType());
        } catch (JacksonException e) {
            throw dataError(type, e);
        }
    }

    /** Turns Jackson's error into one that names the event type, the record, and the data path at fault. */
    private static EventFormatException dataError(EventType type, JacksonException e) {
        StringBuilder path = new StringBuilder("data");
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append('.').append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        String problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            problem = "unknown property, expected one of " + unknown.getKnownPropertyIds();
        } else if (e.getCause() instanceof IllegalArgumentException invalid) {
            problem = invalid.getMessage(); // a record constructor's check; it names the field and the value
        } else {
            problem = e.getOriginalMessage();
        }
        String where = path.length() > "data".length() ? path + ": " : "";
        return new EventFormatException(path.toString(), "data is not a valid " + type.dataType().getSimpleName()
                + " (for type " + type + "): " + where + problem, e);
    }

    private static EventType eventType(String type) {
        requireText("type", type);
        if (!type.startsWith(EventType.CLOUDEVENTS_PREFIX)) {
            throw new EventFormatException("type", "type must start with \"" + EventType.CLOUDEVENTS_PREFIX
                    + "\", but was " + quote(type));
        }
        try {
            return EventType.of(type);
        } catch (IllegalArgumentException e) {
            throw new EventFormatException("type", "type: " + e.getMessage(), e);
        }
    }

    private static String attribute(JsonNode root, String name) {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            throw new EventFormatException(name, name + " is missing");
        }
        if (!value.isString()) {
            throw new EventFormatException(name, name + " must be a string, but was " + value.getNodeType()
                    + " " + value);
        }
        return requireText(name, value.stringValue());
    }

    private static String requireText(String name, String value) {
        if (value == null) {
            throw new EventFormatException(name, name + " is missing");
        }
        if (value.isBlank()) {
            throw new EventFormatException(name, name + " must not be blank, but was " + quote(value));
        }
        return value;
    }

    private static URI source(String source) {
        try {
            return new URI(source);
        } catch (java.net.URISyntaxException e) {
            throw new EventFormatException("source", "source must be a URI reference, but was " + quote(source), e);
        }
    }

    private static Instant time(String time) {
        try {
            return OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            throw new EventFormatException("time",
                    "time must be an RFC 3339 timestamp (2024-05-01T10:15:30Z), but was " + quote(time), e);
        }
    }

    private static void requireJsonContent(String contentType) {
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            throw new EventFormatException("datacontenttype",
                    "datacontenttype must be application/json (or a +json type), but was " + quote(contentType));
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
