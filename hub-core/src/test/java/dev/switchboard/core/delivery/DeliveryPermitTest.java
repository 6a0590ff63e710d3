package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryPermitTest {

    private final Semaphore workers = new Semaphore(2);
    private final Bulkhead bulkhead = Bulkhead.of("alpha", BulkheadConfig.custom().maxConcurrentCalls(1)
            .maxWaitDuration(Duration.ZERO).build());
    private final CircuitBreaker breaker = CircuitBreaker.of("alpha", CircuitBreakerConfig.custom()
            .permittedNumberOfCallsInHalfOpenState(1).build());
    private final AtomicInteger lanesLeft = new AtomicInteger();

    @Test
    void aFullBulkheadTakesNothingAndGivesTheWorkerBack() {
        DeliveryPermit first = DeliveryPermit.tryAcquire(workers, bulkhead, breaker, lanesLeft::incrementAndGet);

        assertThat(first).isNotNull();
        assertThat(DeliveryPermit.tryAcquire(workers, bulkhead, breaker, lanesLeft::incrementAndGet)).isNull();
        assertThat(workers.availablePermits()).as("the second try gave its worker back").isEqualTo(1);
        assertThat(lanesLeft).as("the caller leaves the lane of a permit it did not get").hasValue(0);
    }

    @Test
    void closingGivesEveryPartBackOnceEvenAfterTheSlotWentBackEarly() {
        try (DeliveryPermit permit = DeliveryPermit.tryAcquire(workers, bulkhead, breaker, lanesLeft::incrementAndGet)) {
            assertThat(permit.tryCall()).isTrue();
            permit.succeeded(1_000);
            assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).as("slot back when the call ended")
                    .isEqualTo(1);
            permit.close();
        }

        assertThat(workers.availablePermits()).isEqualTo(2);
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
        assertThat(lanesLeft).as("the lane left once").hasValue(1);
    }

    @Test
    void anUnusedBreakerPermissionIsReleasedSoAHalfOpenBreakerCanTryAgain() {
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        try (DeliveryPermit permit = DeliveryPermit.tryAcquire(workers, bulkhead, breaker, lanesLeft::incrementAndGet)) {
            assertThat(permit.tryCall()).as("the one trial call").isTrue();
            // the attempt could not be started: no call, no outcome
        }

        try (DeliveryPermit permit = DeliveryPermit.tryAcquire(workers, bulkhead, breaker, lanesLeft::incrementAndGet)) {
            assertThat(permit.tryCall()).as("the trial is free again").isTrue();
            permit.failed(1_000, new IllegalStateException("down"));
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(workers.availablePermits()).isEqualTo(2);
    }
}
