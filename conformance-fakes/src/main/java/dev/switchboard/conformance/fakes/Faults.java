package dev.switchboard.conformance.fakes;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * Faults a fake injects into its next responses, for reliability tests: server errors, rate limiting with
 * {@code Retry-After}, connection resets and slow answers. Each fault applies to a number of requests whose
 * path contains a given text, then is used up. Faults are answered in the vendor's own error shape.
 * Thread-safe.
 */
public final class Faults {

    /** What goes wrong. */
    public enum Kind {
        /** An HTTP 5xx in the vendor's error shape. */
        SERVER_ERROR,
        /** HTTP 429 with a {@code Retry-After} header in seconds. */
        RATE_LIMITED,
        /** The connection is reset without an answer. */
        CONNECTION_RESET,
        /** The normal answer, after a delay. */
        SLOW
    }

    /**
     * One injected fault.
     *
     * @param kind         what goes wrong
     * @param status       the HTTP status for {@link Kind#SERVER_ERROR} and {@link Kind#RATE_LIMITED}
     * @param delay        the {@code Retry-After} for rate limiting, the delay for {@link Kind#SLOW}
     * @param pathContains only requests whose path contains this are affected ({@code ""} for all)
     */
    public record Fault(Kind kind, int status, Duration delay, String pathContains) {
    }

    private final Deque<Fault> pending = new ArrayDeque<>();

    /** The next {@code times} requests to {@code pathContains} answer with a 5xx {@code status}. */
    public Faults serverError(int status, int times, String pathContains) {
        return add(new Fault(Kind.SERVER_ERROR, status, Duration.ZERO, pathContains), times);
    }

    /** The next {@code times} requests answer 429 with {@code Retry-After} of {@code retryAfter} seconds. */
    public Faults rateLimited(Duration retryAfter, int times, String pathContains) {
        return add(new Fault(Kind.RATE_LIMITED, 429, retryAfter, pathContains), times);
    }

    /** The next {@code times} requests have their connection reset. */
    public Faults connectionReset(int times, String pathContains) {
        return add(new Fault(Kind.CONNECTION_RESET, 0, Duration.ZERO, pathContains), times);
    }

    /** The next {@code times} requests answer normally after {@code delay}. */
    public Faults slow(Duration delay, int times, String pathContains) {
        return add(new Fault(Kind.SLOW, 0, delay, pathContains), times);
    }

    /** Takes the next fault for a request to {@code path}, if one is pending. */
    public synchronized Optional<Fault> take(String path) {
        for (Iterator<Fault> it = pending.iterator(); it.hasNext(); ) {
            Fault fault = it.next();
            if (path.contains(fault.pathContains())) {
                it.remove();
                return Optional.of(fault);
            }
        }
        return Optional.empty();
    }

    /** How many faulty answers are still pending. */
    public synchronized int pending() {
        return pending.size();
    }

    public synchronized void clear() {
        pending.clear();
    }

    private synchronized Faults add(Fault fault, int times) {
        for (int i = 0; i < times; i++) {
            pending.add(fault);
        }
        return this;
    }
}
