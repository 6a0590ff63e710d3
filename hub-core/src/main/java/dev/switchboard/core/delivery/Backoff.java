package dev.switchboard.core.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time between 0 and
 * {@code min(max, base * 2^(n-1))}, so many deliveries failing together (a tool's outage) do not come back
 * together. When the tool said when to come back (HTTP {@code Retry-After}), that wins.
 */
final class Backoff {

    static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** How long to wait before the attempt after failed attempt number {@code attempt} (1-based). */
    Duration delay(int attempt, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) {
            // Honoured as asked, but a tool cannot park a delivery for longer than a day (or overflow the clock).
            return retryAfter.get().compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : retryAfter.get();
        }
        return Duration.ofMillis((long) (cap(attempt).toMillis() * random.getAsDouble()));
    }

    /** The ceiling for {@code attempt}: doubling from base, never above max (and no overflow on the way). */
    Duration cap(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = base.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
