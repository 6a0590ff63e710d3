package dev.switchboard.core.delivery;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Everything one delivery attempt holds: its lane (its subject at its connection) on this instance, a worker of its
 * engine, a slot of its connection's bulkhead and, once the call is allowed, its connection's circuit-breaker
 * permission. Taken when the delivery is claimed and given back, all of it and each part once, by {@link #close()} at
 * the end of the one {@code try}-with-resources that performs the attempt; the bulkhead slot earlier, as soon as the
 * call to the tool ends ({@link #callEnded()}), since the bulkhead guards the tool and recording the outcome need not
 * keep the tool's next call waiting.
 *
 * <p>Not thread-safe: one worker uses it at a time.
 */
final class DeliveryPermit implements Outbox.Permit {

    private final Semaphore workers;
    private final Bulkhead bulkhead;
    private final CircuitBreaker breaker;
    private final Runnable leaveLane;
    private boolean laneHeld = true;
    private boolean workerHeld = true;
    private boolean slotHeld = true;
    private boolean breakerHeld;

    private DeliveryPermit(Semaphore workers, Bulkhead bulkhead, CircuitBreaker breaker, Runnable leaveLane) {
        this.workers = workers;
        this.bulkhead = bulkhead;
        this.breaker = breaker;
        this.leaveLane = leaveLane;
    }

    /**
     * A worker and a bulkhead slot for one delivery on a lane the caller took, or null when either is not free
     * (nothing is then held: the caller leaves the lane). Closing the permit leaves the lane ({@code leaveLane}).
     */
    static DeliveryPermit tryAcquire(Semaphore workers, Bulkhead bulkhead, CircuitBreaker breaker,
                                     Runnable leaveLane) {
        if (!workers.tryAcquire()) {
            return null;
        }
        if (!bulkhead.tryAcquirePermission()) {
            workers.release();
            return null;
        }
        return new DeliveryPermit(workers, bulkhead, breaker, leaveLane);
    }

    /** Asks the breaker to let the call through; false while it is open (nothing more is then held). */
    boolean tryCall() {
        breakerHeld = breaker.tryAcquirePermission();
        return breakerHeld;
    }

    /** The call to the tool ended: its bulkhead slot goes back now. */
    void callEnded() {
        if (slotHeld) {
            slotHeld = false;
            bulkhead.onComplete();
        }
    }

    /** The call succeeded after {@code nanos}: the breaker counts it and its permission is used up. */
    void succeeded(long nanos) {
        callEnded();
        breakerHeld = false;
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    /** The call failed after {@code nanos}: the breaker judges {@code failure} and its permission is used up. */
    void failed(long nanos, Throwable failure) {
        callEnded();
        breakerHeld = false;
        breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
    }

    /**
     * Gives back what is still held. A breaker permission not used by a call (the attempt could not be started, or
     * its claim was lost) is released: kept, it would leave a half-open breaker waiting forever for the call.
     */
    @Override
    public void close() {
        if (breakerHeld) {
            breakerHeld = false;
            breaker.releasePermission();
        }
        if (slotHeld) {
            slotHeld = false;
            bulkhead.releasePermission();
        }
        if (workerHeld) {
            workerHeld = false;
            workers.release();
        }
        if (laneHeld) {
            laneHeld = false;
            leaveLane.run();
        }
    }
}
