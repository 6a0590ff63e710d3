package dev.switchboard.core.trace;

import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One process's tracer for tests: OpenTelemetry's SDK behind the Micrometer Tracing bridge, as the app wires it, with
 * every ended span kept in memory. A new instance is a new process: it shares nothing with an earlier one but what the
 * store holds.
 */
public final class RecordingTracing implements AutoCloseable {

    private final List<SpanData> spans = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider provider;
    private final Tracing tracing;

    public RecordingTracing() {
        SpanExporter collect = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> batch) {
                spans.addAll(batch);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(collect)).build();
        io.opentelemetry.api.trace.Tracer otel = provider.get("switchboard-test");
        OtelCurrentTraceContext context = new OtelCurrentTraceContext();
        ContextPropagators propagators = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        tracing = new Tracing(new OtelTracer(otel, context, event -> { }), new OtelPropagator(propagators, otel));
    }

    public Tracing tracing() {
        return tracing;
    }

    /** The spans ended so far, in the order they ended. */
    public List<SpanData> spans() {
        return List.copyOf(spans);
    }

    /** The ended span named {@code name}; fails unless there is exactly one. */
    public SpanData span(String name) {
        List<SpanData> named = spans.stream().filter(span -> span.getName().equals(name)).toList();
        if (named.size() != 1) {
            throw new AssertionError("expected one span " + name + ", got " + named.size() + " among " + spans);
        }
        return named.get(0);
    }

    @Override
    public void close() {
        provider.close();
    }
}
