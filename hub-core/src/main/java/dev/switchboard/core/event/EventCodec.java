package dev.switchboard.core.event;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import java.net.URI;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Placeholder until the codec branch lands: CloudEvents structured JSON for canonical events. */
public final class EventCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    public String toJson(CanonicalEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("specversion", "1.0");
        node.put("id", event.id());
        node.put("source", event.source().toString());
        node.put("type", event.type().cloudEventType());
        node.put("subject", event.subject());
        node.put("time", event.time().toString());
        node.set("data", MAPPER.valueToTree(event.data()));
        return MAPPER.writeValueAsString(node);
    }

    public CanonicalEvent fromJson(String json) {
        JsonNode node = MAPPER.readTree(json);
        EventType type = EventType.of(node.get("type").asString());
        return new CanonicalEvent(node.get("id").asString(), URI.create(node.get("source").asString()), type,
                node.get("subject").asString(), Instant.parse(node.get("time").asString()),
                MAPPER.treeToValue(node.get("data"), type.dataType()));
    }
}
