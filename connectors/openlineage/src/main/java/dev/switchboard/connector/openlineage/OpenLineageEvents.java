package dev.switchboard.connector.openlineage;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds an OpenLineage RunEvent (spec 2-1-0) from an {@code emit-run-event} request.
 *
 * <p>Datasets are named by URI, after OpenLineage's naming conventions: the namespace is the scheme and authority
 * ({@code s3://models}), the name the path without its leading slash ({@code churn/1/model.tar.gz}). A model version
 * in a tool the hub reaches through a connection is {@code switchboard://<connection>/models/<model>/versions/<n>}.
 * The request's event adds its own model version as an input (a promotion reads it), unless the event has none.
 */
final class OpenLineageEvents {

    static final String ACTION = "emit-run-event";
    static final List<String> EVENT_TYPES = List.of("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER");
    static final String SCHEMA_URL = "https://openlineage.io/spec/2-1-0/OpenLineage.json#/$defs/RunEvent";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenLineageEvents() {
    }

    static ActionTarget.Action describe() {
        return ActionTarget.Action.of(ACTION, "Posts an OpenLineage RunEvent for a job run, with datasets.",
                ActionTarget.Parameter.required("event-type", "The run's transition.")
                        .oneOf(EVENT_TYPES.toArray(String[]::new)),
                ActionTarget.Parameter.required("job", "The job's name in its namespace (e.g. the route's id)."),
                ActionTarget.Parameter.optional("namespace", "The job's namespace; the connection's namespace option "
                        + "by default."),
                ActionTarget.Parameter.optional("run-id", "The run's UUID; by default derived from the job and the "
                        + "event, so the START and COMPLETE a route sends for one event name the same run."),
                ActionTarget.Parameter.optional("event-time", "When the transition happened (ISO-8601); now by "
                        + "default."),
                ActionTarget.Parameter.optional("inputs", "Input datasets: URIs, separated by commas."),
                ActionTarget.Parameter.optional("outputs", "Output datasets: URIs, separated by commas."));
    }

    /** The event to post, as JSON. */
    static String build(OpenLineageOptions.Settings settings, ActionTarget.Request request, Instant now) {
        String connection = settings.connection();
        String eventType = request.require(connection, "event-type").trim();
        if (!EVENT_TYPES.contains(eventType)) {
            throw ConnectorException.configuration(connection, "action " + ACTION + ": event-type must be one of "
                    + EVENT_TYPES + ", was \"" + eventType + "\"");
        }
        String job = request.require(connection, "job").trim();
        String namespace = parameter(request, "namespace").orElse(settings.namespace());
        ObjectNode event = JSON.createObjectNode();
        event.put("eventType", eventType);
        event.put("eventTime", eventTime(connection, request, now).toString());
        event.putObject("run").put("runId", runId(connection, request, namespace, job).toString());
        event.putObject("job").put("namespace", namespace).put("name", job);
        Set<String> inputs = new LinkedHashSet<>(eventDatasets(request.event()));
        inputs.addAll(uris(request.parameters().get("inputs")));
        event.set("inputs", datasets(connection, inputs));
        event.set("outputs", datasets(connection, uris(request.parameters().get("outputs"))));
        event.put("producer", settings.producer());
        event.put("schemaURL", SCHEMA_URL);
        return JSON.writeValueAsString(event);
    }

    /** The run id of a request: its {@code run-id}, or one derived from the job and the event. */
    static UUID runId(String connection, ActionTarget.Request request, String namespace, String job) {
        var given = parameter(request, "run-id");
        if (given.isPresent()) {
            try {
                return UUID.fromString(given.get());
            } catch (IllegalArgumentException e) {
                throw ConnectorException.configuration(connection, "action " + ACTION + ": run-id must be a UUID, was \""
                        + given.get() + "\"");
            }
        }
        CanonicalEvent event = request.event();
        String seed = namespace + '\n' + job + '\n' + (event == null ? request.idempotencyKey()
                : event.source() + "\n" + event.id());
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }

    private static Instant eventTime(String connection, ActionTarget.Request request, Instant now) {
        var given = parameter(request, "event-time");
        try {
            return given.map(Instant::parse).orElse(now);
        } catch (DateTimeParseException e) {
            throw ConnectorException.configuration(connection, "action " + ACTION + ": event-time must be an "
                    + "ISO-8601 instant (2026-01-02T03:04:05Z), was \"" + given.orElseThrow() + "\"");
        }
    }

    private static List<String> eventDatasets(CanonicalEvent event) {
        if (event == null) {
            return List.of();
        }
        Map<String, String> fields = new ActionTarget.Request("", Map.of(), event, "").eventFields();
        if (fields.containsKey("model") && fields.containsKey("version")) {
            return List.of("switchboard://" + event.sourceConnection() + "/models/" + fields.get("model")
                    + "/versions/" + fields.get("version"));
        }
        return List.of();
    }

    private static List<String> uris(String list) {
        List<String> uris = new ArrayList<>();
        if (list != null) {
            for (String uri : list.split(",")) {
                if (!uri.isBlank()) {
                    uris.add(uri.trim());
                }
            }
        }
        return uris;
    }

    private static ArrayNode datasets(String connection, Iterable<String> uris) {
        ArrayNode datasets = JSON.createArrayNode();
        for (String text : uris) {
            URI uri;
            try {
                uri = URI.create(text);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getScheme() == null || uri.getRawAuthority() == null) {
                throw ConnectorException.configuration(connection, "action " + ACTION + ": a dataset must be a URI "
                        + "with a scheme and an authority (s3://bucket/key), was \"" + text + "\"");
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            datasets.addObject().put("namespace", uri.getScheme() + "://" + uri.getRawAuthority())
                    .put("name", path.startsWith("/") ? path.substring(1) : path);
        }
        return datasets;
    }

    private static java.util.Optional<String> parameter(ActionTarget.Request request, String name) {
        return java.util.Optional.ofNullable(request.parameters().get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
