package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.spi.ErrorKind;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DeliveryLogTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> warned = new CopyOnWriteArrayList<>();
    private final DeliveryLog log = new DeliveryLog(clock, Duration.ofSeconds(10), warned::add);

    @Test
    void aFailedAttemptIsOneLineWithConnectionActionAttemptKindAndMessage() {
        log.attemptFailed("deploy", "trigger-workflow", 42, 2, ErrorKind.TRANSIENT, "HTTP 503 from the tool");

        assertThat(warned).containsExactly("Delivery 42 of trigger-workflow to connection deploy failed on attempt 2"
                + " (TRANSIENT): HTTP 503 from the tool");
    }

    @Test
    void failedAttemptsAreRateLimitedPerConnectionAndCountWhatWasLeftUnsaid() {
        log.attemptFailed("deploy", "a", 1, 1, ErrorKind.TRANSIENT, "down");
        log.attemptFailed("deploy", "b", 2, 1, ErrorKind.CONFIGURATION, "bad");
        log.attemptFailed("deploy", "a", 1, 2, ErrorKind.TRANSIENT, "down");
        log.attemptFailed("registry", "tag", 3, 1, ErrorKind.TRANSIENT, "down");
        assertThat(warned).hasSize(2);
        assertThat(warned.get(1)).contains("to connection registry");

        clock.advance(Duration.ofSeconds(10));
        log.attemptFailed("deploy", "a", 1, 3, ErrorKind.TRANSIENT, "down");

        assertThat(warned).hasSize(3);
        assertThat(warned.get(2)).contains("failed on attempt 3")
                .endsWith("(and 2 more like it since the last such line)");
    }

    @Test
    void everyStateChangeOfEveryBreakerIsOneLineNamingTheConnectionAndBothStates() {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        CircuitBreaker before = breakers.circuitBreaker("deploy");
        log.watch(breakers);
        CircuitBreaker after = breakers.circuitBreaker("registry");

        before.transitionToOpenState();
        after.transitionToOpenState();
        after.transitionToHalfOpenState();
        after.transitionToClosedState();

        assertThat(warned).containsExactly(
                "Circuit breaker of connection deploy changed from CLOSED to OPEN: deliveries to it are postponed,"
                        + " not attempted, until it half-opens",
                "Circuit breaker of connection registry changed from CLOSED to OPEN: deliveries to it are postponed,"
                        + " not attempted, until it half-opens",
                "Circuit breaker of connection registry changed from OPEN to HALF_OPEN: a few deliveries are let"
                        + " through to test it",
                "Circuit breaker of connection registry changed from HALF_OPEN to CLOSED: deliveries to it run again");
    }
}
