package dev.switchboard.conformance.fakes.openlineage;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fake OpenLineage HTTP endpoint (Marquez's {@code POST /api/v1/lineage}) on loopback, strict where a real backend
 * is: every event is validated as a {@code RunEvent} of the published OpenLineage JSON schema ({@value #SPEC}, kept
 * in this jar, see its README) and an event that does not validate is refused with 422 and the validation messages,
 * as Marquez refuses an event it cannot read. (The spec's job and dataset events are not taken: the hub sends none.) Accepted events answer 201 and are kept in arrival order. Faults: the next
 * requests can be answered with a given status ({@link #failNext}), for retry tests.
 */
public final class FakeOpenLineage implements AutoCloseable {

    /** The spec version of the schema events are validated against. */
    public static final String SPEC = "2-1-0";
    /** The {@code schemaURL} of a RunEvent of that version. */
    public static final String RUN_EVENT_SCHEMA_URL = "https://openlineage.io/spec/" + SPEC + "/OpenLineage.json#/$defs/RunEvent";
    public static final String PATH = "/api/v1/lineage";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    // In draft 2020-12 "format" only annotates unless asked; OpenLineage relies on it for uuid, uri and date-time.
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
            SchemaLocation.of("classpath:dev/switchboard/conformance/fakes/openlineage/OpenLineage.json#/$defs/RunEvent"),
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());

    private final HttpServer server;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final Deque<Integer> faults = new ArrayDeque<>();

    public FakeOpenLineage() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH, this::handle);
        server.start();
    }

    /** The endpoint URL to configure: {@code http://127.0.0.1:<port>/api/v1/lineage}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The events accepted so far, each valid against the schema, in arrival order. */
    public List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** Why each refused event did not validate. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    /** Answers the next {@code times} requests with {@code status} (and an error body) before handling any. */
    public synchronized void failNext(int times, int status) {
        for (int i = 0; i < times; i++) {
            faults.add(status);
        }
    }

    /** The messages of validating {@code event} against the schema; empty when it is a valid OpenLineage RunEvent. */
    public static Set<String> validate(String event) {
        return SCHEMA.validate(event, InputFormat.JSON).stream().map(ValidationMessage::getMessage)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private synchronized Integer nextFault() {
        return faults.poll();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Integer fault = nextFault();
            if (fault != null) {
                answer(exchange, fault, "{\"code\":" + fault + ",\"message\":\"injected fault\"}");
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "{\"code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
            } else {
                Set<String> problems;
                try {
                    problems = validate(body);
                } catch (RuntimeException notJson) {
                    problems = Set.of("not JSON: " + notJson.getMessage());
                }
                if (problems.isEmpty()) {
                    events.add(JSON.readTree(body));
                    answer(exchange, 201, "");
                } else {
                    refusals.add(String.join("; ", problems));
                    answer(exchange, 422, JSON.writeValueAsString(java.util.Map.of("code", 422,
                            "errors", List.copyOf(problems))));
                }
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
