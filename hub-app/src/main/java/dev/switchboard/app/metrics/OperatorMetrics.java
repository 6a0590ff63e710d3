package dev.switchboard.app.metrics;

import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.poll.PollScheduler;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Meters that answer an operator's questions, read from the durable store when scraped, so they hold across
 * restarts and agree between hub instances that share a database:
 * <ul>
 *   <li>{@code switchboard.delivery.lag} (connection): seconds since the oldest delivery still waiting (PENDING or
 *       IN_FLIGHT) was enqueued, or since the oldest first attempt a route run of this instance is making started
 *       (it is stored when it ends), 0 when none waits: how far behind each target is;</li>
 *   <li>{@code switchboard.dead_letters.open} (connection; {@code none} for route-stage dead letters): dead letters
 *       not replayed yet;</li>
 *   <li>{@code switchboard.sync.objects} (job, outcome = created | updated | unchanged | skipped | failed): objects
 *       of applied sync runs by outcome, a counter;</li>
 *   <li>{@code switchboard.poller.overdue} (connection): seconds a poll this instance holds is past due, 0 when on
 *       time; {@code switchboard.poller.failures} (connection): its consecutive failed polls.</li>
 * </ul>
 * Breaker state per connection is resilience4j's {@code resilience4j.circuitbreaker.state}; every connection's
 * breaker is made at start so that each one is reported before its first delivery. Webhook rejections by reason are
 * {@code switchboard.webhooks} ({@code outcome=rejected}, {@code reason}).
 */
final class OperatorMetrics {

    /** The outcome columns of {@code sync_run}, named as in {@code SyncOutcome.Kind}. */
    private static final List<String> SYNC_OUTCOMES = List.of("created", "updated", "unchanged", "skipped", "failed");
    /** The connection name of the hub's own actions (copy-artifact, tag-model-version). */
    private static final String HUB = "hub";

    private OperatorMetrics() {
    }

    static void bind(MeterRegistry meters, Store store, ConnectionRegistry connections, DeliveryEngine engine,
                            SyncService sync, PollScheduler pollers, Clock clock) {
        Set<String> targets = new TreeSet<>();
        connections.all().forEach(entry -> targets.add(entry.connection().name()));
        for (String connection : targets) {
            engine.breaker(connection);
        }
        targets.add(HUB);
        for (String connection : targets) {
            Gauge.builder("switchboard.delivery.lag", () -> lag(store, engine, connection, clock))
                    .tag("connection", connection).baseUnit("seconds")
                    .description("Age of the oldest delivery still waiting for this connection").register(meters);
            Gauge.builder("switchboard.dead_letters.open", () -> openDeadLetters(store, connection))
                    .tag("connection", connection).description("Dead letters not replayed yet").register(meters);
        }
        Gauge.builder("switchboard.dead_letters.open", () -> openDeadLetters(store, null))
                .tag("connection", "none").description("Dead letters not replayed yet").register(meters);
        sync.jobs().forEach(job -> {
            for (String outcome : SYNC_OUTCOMES) {
                FunctionCounter.builder("switchboard.sync.objects", store, s -> syncObjects(s, job.name(), outcome))
                        .tag("job", job.name()).tag("outcome", outcome)
                        .description("Objects of applied sync runs, by outcome").register(meters);
            }
        });
        pollers.status().keySet().forEach(connection -> {
            Gauge.builder("switchboard.poller.overdue", () -> overdue(pollers, connection, clock))
                    .tag("connection", connection).baseUnit("seconds")
                    .description("How far past due this instance's poll of the connection is").register(meters);
            Gauge.builder("switchboard.poller.failures", () -> {
                PollScheduler.Status status = pollers.status().get(connection);
                return status == null ? 0 : status.failures();
            }).tag("connection", connection).description("Consecutive failed polls").register(meters);
        });
    }

    private static double lag(Store store, DeliveryEngine engine, String connection, Clock clock) {
        Timestamp stored = store.jdbc().queryForObject("SELECT MIN(created_at) FROM outbox_delivery "
                + "WHERE connection_name = ? AND status IN ('PENDING', 'IN_FLIGHT')", Timestamp.class, connection);
        Optional<Instant> oldest = Stream.concat(Optional.ofNullable(stored).map(Timestamp::toInstant).stream(),
                engine.attemptingSince(connection).stream()).min(Instant::compareTo);
        return oldest.map(since -> Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0))
                .orElse(0.0);
    }

    private static double openDeadLetters(Store store, String connection) {
        Long count = connection == null
                ? store.jdbc().queryForObject("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL "
                        + "AND connection_name IS NULL", Long.class)
                : store.jdbc().queryForObject("SELECT COUNT(*) FROM dead_letter WHERE replayed_at IS NULL "
                        + "AND connection_name = ?", Long.class, connection);
        return count == null ? 0 : count;
    }

    private static double syncObjects(Store store, String job, String outcome) {
        // The column name comes from SYNC_OUTCOMES, never from input.
        Long sum = store.jdbc().queryForObject("SELECT COALESCE(SUM(" + outcome.toLowerCase(Locale.ROOT)
                + "), 0) FROM sync_run WHERE job = ? AND mode = 'APPLY'", Long.class, job);
        return sum == null ? 0 : sum;
    }

    private static double overdue(PollScheduler pollers, String connection, Clock clock) {
        PollScheduler.Status status = pollers.status().get(connection);
        if (status == null || !status.holding() || status.nextPollAt() == null) {
            return 0;
        }
        Instant now = clock.instant();
        return now.isAfter(status.nextPollAt()) ? Duration.between(status.nextPollAt(), now).toMillis() / 1000.0 : 0;
    }
}
