package dev.switchboard.core.delivery;

import dev.switchboard.core.logging.RateLimitedLines;
import dev.switchboard.spi.ErrorKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decides the WARN lines an operator acts on before anything is dead-lettered: one per failed delivery attempt (at
 * most one per connection every interval, counting the rest, so a failing tool cannot flood the log) and one per
 * change of a connection's circuit breaker. A line holds the connector's error message, which by the SPI's rule never
 * carries a secret.
 */
final class DeliveryLog {

    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final RateLimitedLines attempts;
    private final Consumer<String> warn;

    /** @param warn where the lines go: a logger's {@code warn} */
    DeliveryLog(Clock clock, Duration interval, Consumer<String> warn) {
        this.attempts = new RateLimitedLines(clock, interval);
        this.warn = warn;
    }

    /** The line for a failed attempt, or empty when one for this connection was logged less than an interval ago. */
    Optional<String> failedAttempt(String connection, String action, long delivery, int attempt, ErrorKind kind,
                                   String message) {
        return attempts.line(connection, () -> "Delivery " + delivery + " of " + action + " to connection "
                + connection + " failed on attempt " + attempt + " (" + kind + "): " + message);
    }

    /** Writes the line for a failed attempt, if it is due. */
    void attemptFailed(String connection, String action, long delivery, int attempt, ErrorKind kind, String message) {
        failedAttempt(connection, action, delivery, attempt, kind, message).ifPresent(warn);
    }

    /** The line for a breaker changing state, with what it means for the connection's deliveries. */
    static String breakerTransition(String connection, CircuitBreaker.State from, CircuitBreaker.State to) {
        String meaning = switch (to) {
            case OPEN, FORCED_OPEN -> "deliveries to it are postponed, not attempted, until it half-opens";
            case HALF_OPEN -> "a few deliveries are let through to test it";
            case CLOSED -> "deliveries to it run again";
            default -> "deliveries to it are not guarded";
        };
        return "Circuit breaker of connection " + connection + " changed from " + from + " to " + to + ": " + meaning;
    }

    /** Writes a line on every state change of every breaker in {@code breakers}, present and future. */
    void watch(CircuitBreakerRegistry breakers) {
        breakers.getAllCircuitBreakers().forEach(this::watch);
        breakers.getEventPublisher().onEntryAdded(added -> watch(added.getAddedEntry()));
    }

    private void watch(CircuitBreaker breaker) {
        breaker.getEventPublisher().onStateTransition(event -> warn.accept(breakerTransition(
                event.getCircuitBreakerName(), event.getStateTransition().getFromState(),
                event.getStateTransition().getToState())));
    }
}
