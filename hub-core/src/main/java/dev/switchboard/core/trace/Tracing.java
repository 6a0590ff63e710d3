package dev.switchboard.core.trace;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;

/**
 * The hub's spans, on Micrometer Tracing (the app bridges it to OpenTelemetry). Work that crosses the durable store
 * (an event's route executions, a delivery performed later or by a restarted hub) carries its parent as a W3C
 * {@code traceparent} stored with the row: {@link #traceparent()} gives the value to store, and {@link #start(String,
 * String)} continues from a stored one, so every hop of one webhook ends up in one trace.
 *
 * <p>{@link #OFF} (the default) is a no-op: no span, nothing stored, nothing read back. Thread-safe.
 */
public final class Tracing {

    /** No tracing: every span is a no-op and {@link #traceparent()} is null. */
    public static final Tracing OFF = new Tracing(Tracer.NOOP, Propagator.NOOP);

    static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public Tracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Whether spans are recorded; when not, callers skip storing and reading trace context. */
    public boolean on() {
        return tracer != Tracer.NOOP;
    }

    /** A span that is a child of the current one (a new trace when there is none), in scope until closed. */
    public Scope start(String name) {
        if (!on()) {
            return Scope.NOOP;
        }
        return new Scope(tracer, tracer.nextSpan().name(name).start());
    }

    /** A child of the current span for a call to another system (OpenTelemetry span kind CLIENT). */
    public Scope startClient(String name) {
        if (!on()) {
            return Scope.NOOP;
        }
        return new Scope(tracer, tracer.spanBuilder().name(name).kind(Span.Kind.CLIENT).start());
    }

    /**
     * A span that continues the trace of a stored {@code traceparent}; a child of the current span when there is
     * none (or it cannot be parsed, which the propagator treats as absent).
     */
    public Scope start(String name, String traceparent) {
        if (!on()) {
            return Scope.NOOP;
        }
        if (traceparent == null || traceparent.isBlank()) {
            return start(name);
        }
        Span span = propagator.extract(Map.of(TRACEPARENT, traceparent), Map::get).name(name).start();
        return new Scope(tracer, span);
    }

    /** The current span as a W3C {@code traceparent}, to store with a row; null when off or outside any span. */
    public String traceparent() {
        if (!on()) {
            return null;
        }
        TraceContext context = tracer.currentTraceContext().context();
        if (context == null) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** One started span, current until {@link #close()}, which ends it. Use in a try-with-resources. */
    public static final class Scope implements AutoCloseable {

        static final Scope NOOP = new Scope(null, null);

        private final Span span;
        private final Tracer.SpanInScope inScope;

        private Scope(Tracer tracer, Span span) {
            this.span = span;
            this.inScope = tracer == null ? null : tracer.withSpan(span);
        }

        /** Adds a tag (an OpenTelemetry attribute); a null value is left out. */
        public Scope tag(String key, Object value) {
            if (span != null && value != null) {
                span.tag(key, value.toString());
            }
            return this;
        }

        /** Marks the span as failed with {@code failure}. */
        public Scope error(Throwable failure) {
            if (span != null) {
                span.error(failure);
            }
            return this;
        }

        @Override
        public void close() {
            if (span != null) {
                inScope.close();
                span.end();
            }
        }
    }
}
