package dev.switchboard.core.delivery;

import dev.switchboard.core.store.Store;
import dev.switchboard.spi.ErrorKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * The delivery engine's meters:
 * <ul>
 *   <li>{@code switchboard.deliveries} (connection, outcome = delivered | retried | dead_lettered |
 *       breaker_open): what became of each claimed delivery;</li>
 *   <li>{@code switchboard.delivery.attempts} (connection, result = success | transient | configuration | system);</li>
 *   <li>{@code switchboard.outbox.depth} (status = pending | in_flight | dead) and {@code switchboard.inbox.backlog}
 *       (route executions without an outcome yet: pending, running or waiting on a step's delivery), read from the
 *       database when scraped.</li>
 * </ul>
 * Breaker and bulkhead state per connection come from resilience4j-micrometer
 * ({@code resilience4j.circuitbreaker.state}, {@code resilience4j.bulkhead.available.concurrent.calls}).
 */
final class DeliveryMetrics {

    /** What became of a claimed delivery. */
    enum Outcome { DELIVERED, RETRIED, DEAD_LETTERED, BREAKER_OPEN }

    private final MeterRegistry meters;

    DeliveryMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void delivery(String connection, Outcome outcome) {
        Counter.builder("switchboard.deliveries").tag("connection", connection)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(meters).increment();
    }

    /** A due delivery or a run's step waited: an attempt on its lane was being made here. */
    void laneWait(String connection) {
        Counter.builder("switchboard.delivery.lane.waits").tag("connection", connection).register(meters).increment();
    }

    /** One attempt; {@code failure} is null for a success. */
    void attempt(String connection, ErrorKind failure) {
        Counter.builder("switchboard.delivery.attempts").tag("connection", connection)
                .tag("result", failure == null ? "success" : failure.name().toLowerCase(Locale.ROOT))
                .register(meters).increment();
    }

    void bindDepthGauges(Store store, Outbox outbox) {
        for (Delivery.Status status : new Delivery.Status[] {Delivery.Status.PENDING, Delivery.Status.IN_FLIGHT,
                Delivery.Status.DEAD}) {
            Gauge.builder("switchboard.outbox.depth", outbox, o -> o.countByStatus().get(status))
                    .tag("status", status.name().toLowerCase(Locale.ROOT)).strongReference(true).register(meters);
        }
        Gauge.builder("switchboard.inbox.backlog", store, DeliveryMetrics::inboxBacklog).strongReference(true)
                .register(meters);
    }

    private static double inboxBacklog(Store store) {
        // Route executions replaced the per-route cursors this once read (subscribing a route deletes its cursor),
        // so the unfinished executions are what is left to route.
        return store.executions().unfinished();
    }
}
