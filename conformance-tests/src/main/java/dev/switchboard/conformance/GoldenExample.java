package dev.switchboard.conformance;

import dev.switchboard.model.EventType;
import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One golden example for {@link EventContentSuite}: a delivery in the tool's own format, and the canonical events
 * it must become, written by the connector's author from the tool's documentation (commit the files; a change to
 * them is a deliberate change of the mapping).
 *
 * <p>The expected events are JSON, one object or an array of them, each with {@code type} (the canonical type
 * name), optionally {@code subject}, and {@code data}: the fields of the event's data that must hold exactly these
 * values, as the canonical record serialises them (fields left out are not compared):
 *
 * <pre>{@code
 * [{"type": "ci_run.finished", "subject": "repos/acme/deploy/actions/runs/30433642",
 *   "data": {"status": "SUCCEEDED", "repository": "acme/deploy", "pipeline": "deploy.yml"}}]
 * }</pre>
 *
 * @param name     what the example shows ({@code "workflow_run completed with failure"})
 * @param request  the delivery, signed as the connection under test expects
 * @param expected the expected events, parsed from the JSON above
 */
public record GoldenExample(String name, WebhookRequest request, List<Expected> expected) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One expected event.
     *
     * @param type    its canonical type
     * @param subject its subject, or null to match any
     * @param data    the fields of its data that must hold these values
     */
    public record Expected(EventType type, String subject, JsonNode data) {
    }

    public GoldenExample {
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("golden example \"" + name + "\" expects no event");
        }
        expected = List.copyOf(expected);
    }

    /** An example whose expected events are {@code expectedJson} (see the class comment for the format). */
    public static GoldenExample of(String name, WebhookRequest request, String expectedJson) {
        JsonNode root = JSON.readTree(expectedJson);
        List<Expected> expected = new ArrayList<>();
        for (JsonNode event : root.isArray() ? root : List.of(root)) {
            if (!event.hasNonNull("type")) {
                throw new IllegalArgumentException("golden example \"" + name + "\": an expected event has no type");
            }
            expected.add(new Expected(EventType.of(event.get("type").asString()),
                    event.hasNonNull("subject") ? event.get("subject").asString() : null,
                    event.has("data") ? event.get("data") : JSON.createObjectNode()));
        }
        return new GoldenExample(name, request, expected);
    }

    /** The UTF-8 text of a class path resource ({@code "golden/workflow_run-success.json"}), for payloads and expectations. */
    public static String resource(String path) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden example resource " + path + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
