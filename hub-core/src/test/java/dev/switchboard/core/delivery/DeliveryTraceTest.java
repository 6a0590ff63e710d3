package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.trace.RecordingTracing;
import dev.switchboard.core.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace context travels with the delivery row: a delivery enqueued by one hub and performed by the next start on
 * the same database (nothing in memory survives) is a child of the span that enqueued it, in the same trace.
 */
class DeliveryTraceTest {

    @TempDir
    Path directory;

    @Test
    void aDeliveryPerformedByARestartedHubJoinsTheTraceOfTheRouteThatEnqueuedIt() {
        String traceId;
        String enqueueSpanId;
        Delivery delivery;
        try (RecordingTracing first = new RecordingTracing()) {
            DeliveryFixture hub = new DeliveryFixture(TestDatabases.h2(directory), Clock.systemUTC(), first.tracing());
            try (Tracing.Scope route = first.tracing().start("route.execute")) {
                delivery = hub.enqueue("alpha", "e-1", "churn"); // no engine runs: the hub stops before delivering
            }
            hub.close();
            SpanData enqueue = first.span("outbox.enqueue");
            traceId = first.span("route.execute").getTraceId();
            enqueueSpanId = enqueue.getSpanId();
            assertThat(enqueue.getTraceId()).isEqualTo(traceId);
        }

        try (RecordingTracing restarted = new RecordingTracing();
             DeliveryFixture hub = new DeliveryFixture(TestDatabases.h2(directory), Clock.systemUTC(),
                     restarted.tracing())) {
            hub.startEngine(DeliveryFixture.FAST);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.status(delivery) == Delivery.Status.DELIVERED);
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.spans().stream()
                    .anyMatch(span -> span.getName().equals("delivery.attempt")));

            SpanData attempt = restarted.span("delivery.attempt");
            assertThat(attempt.getTraceId()).as("the attempt joins the original trace").isEqualTo(traceId);
            assertThat(attempt.getParentSpanId()).as("a child of the enqueue span").isEqualTo(enqueueSpanId);
            assertThat(attempt.getAttributes().asMap().toString()).contains("switchboard.connection=alpha");
            SpanData call = restarted.span("connector.call");
            assertThat(call.getParentSpanId()).isEqualTo(attempt.getSpanId());
            assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        }
    }

    @Test
    void withTracingOffNoTraceContextIsStored() {
        try (DeliveryFixture hub = new DeliveryFixture(TestDatabases.h2(directory), Clock.systemUTC(), Tracing.OFF)) {
            Delivery delivery = hub.enqueue("alpha", "e-2", "churn");

            assertThat(hub.store.jdbc().queryForObject("SELECT traceparent FROM outbox_delivery WHERE id = ?",
                    String.class, delivery.id())).isNull();
            assertThat(Tracing.OFF.traceparent()).isNull();
        }
    }
}
