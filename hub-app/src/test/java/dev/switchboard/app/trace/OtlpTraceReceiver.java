package dev.switchboard.app.trace;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace receiver on loopback ({@code POST /v1/traces}, protobuf), standing in for an OpenTelemetry
 * collector: it decodes each {@code ExportTraceServiceRequest} with a small reader of the protobuf wire format (the
 * fields of opentelemetry-proto's trace.proto that tests look at) and keeps the spans.
 */
public final class OtlpTraceReceiver implements AutoCloseable {

    /** One received span; ids in lower-case hex as OpenTelemetry prints them, parent empty for a root. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, int kind,
                               Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    public OtlpTraceReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                int status = "POST".equals(exchange.getRequestMethod()) ? 200 : 405;
                if (status == 200) {
                    readRequest(ByteBuffer.wrap(body.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN));
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(status, -1); // an empty ExportTraceServiceResponse
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The URL to configure as the OTLP traces endpoint. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest: 1 resource_spans; ResourceSpans: 2 scope_spans; ScopeSpans: 2 spans.
    private void readRequest(ByteBuffer in) {
        forEachField(in, (field, value) -> {
            if (field == 1) {
                forEachField(value, (resourceField, scopeSpans) -> {
                    if (resourceField == 2) {
                        forEachField(scopeSpans, (scopeField, span) -> {
                            if (scopeField == 2) {
                                spans.add(readSpan(span));
                            }
                        });
                    }
                });
            }
        });
    }

    // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind (varint), 9 attributes (KeyValue).
    private static ReceivedSpan readSpan(ByteBuffer in) {
        Map<Integer, Object> fields = new HashMap<>();
        Map<String, String> attributes = new HashMap<>();
        while (in.hasRemaining()) {
            long tag = varint(in);
            int field = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> fields.put(field, varint(in));
                case 1 -> in.position(in.position() + 8);
                case 5 -> in.position(in.position() + 4);
                case 2 -> {
                    ByteBuffer value = slice(in);
                    if (field == 9) {
                        readAttribute(value, attributes);
                    } else {
                        fields.put(field, value);
                    }
                }
                default -> throw new IllegalStateException("unexpected wire type in a span: " + tag);
            }
        }
        return new ReceivedSpan(hex(fields.get(1)), hex(fields.get(2)), hex(fields.get(4)), text(fields.get(5)),
                fields.get(6) == null ? 0 : ((Long) fields.get(6)).intValue(), attributes);
    }

    // KeyValue: 1 key, 2 value (AnyValue: 1 string_value, 3 int_value, 2 bool_value).
    private static void readAttribute(ByteBuffer in, Map<String, String> attributes) {
        String[] key = new String[1];
        String[] value = {""};
        forEachField(in, (field, bytes) -> {
            if (field == 1) {
                key[0] = text(bytes);
            } else if (field == 2) {
                forEachField(bytes, (anyField, any) -> value[0] = anyField == 1 ? text(any) : value[0]);
            }
        });
        attributes.put(key[0], value[0]);
    }

    private interface FieldVisitor {
        void visit(int field, ByteBuffer value);
    }

    /** Visits the length-delimited fields of a message, skipping the others. */
    private static void forEachField(ByteBuffer in, FieldVisitor visitor) {
        while (in.hasRemaining()) {
            long tag = varint(in);
            switch ((int) (tag & 7)) {
                case 0 -> varint(in);
                case 1 -> in.position(in.position() + 8);
                case 5 -> in.position(in.position() + 4);
                case 2 -> visitor.visit((int) (tag >>> 3), slice(in));
                default -> throw new IllegalStateException("unexpected wire type " + (tag & 7));
            }
        }
    }

    private static ByteBuffer slice(ByteBuffer in) {
        int length = (int) varint(in);
        ByteBuffer value = in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + length);
        return value;
    }

    private static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }

    private static String text(Object value) {
        return new String(bytes(value), StandardCharsets.UTF_8);
    }

    private static String hex(Object value) {
        return HexFormat.of().formatHex(bytes(value));
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return new byte[0];
        }
        ByteBuffer bytes = ((ByteBuffer) value).duplicate();
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        return array;
    }
}
