package dev.switchboard.core.webhook;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides the WARN lines for rejected webhooks: one per rejection, so an operator sees a misconfigured sender (a
 * wrong secret, a wrong URL) without waiting for a dead letter, but at most one per connection and reason every
 * interval, counting what it left unsaid, so a sender retrying in a loop cannot flood the log. A line holds what the
 * sender was told, which never includes a secret or a computed signature.
 */
final class RejectionLog {

    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Clock clock;
    private final Duration interval;
    /** Per connection and reason: when the last line was written, and how many rejections since it said nothing. */
    private final Map<String, long[]> lines = new ConcurrentHashMap<>();

    RejectionLog(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** The line to log for this rejection, or empty when one like it was logged less than an interval ago. */
    Optional<String> line(String connection, int status, String code, String detail) {
        long now = clock.millis();
        long[] state = lines.computeIfAbsent(connection + " " + code, key -> new long[] {Long.MIN_VALUE, 0});
        synchronized (state) {
            if (state[0] != Long.MIN_VALUE && now - state[0] < interval.toMillis()) {
                state[1]++;
                return Optional.empty();
            }
            long unsaid = state[1];
            state[0] = now;
            state[1] = 0;
            return Optional.of("Webhook to connection " + connection + " rejected with " + status + " (" + code + "): "
                    + detail + (unsaid == 0 ? "" : " (and " + unsaid + " more like it since the last such line)"));
        }
    }
}
