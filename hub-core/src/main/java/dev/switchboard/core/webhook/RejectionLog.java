package dev.switchboard.core.webhook;

import dev.switchboard.core.logging.RateLimitedLines;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Decides the WARN lines for rejected webhooks: one per rejection, so an operator sees a misconfigured sender (a
 * wrong secret, a wrong URL) without waiting for a dead letter, but at most one per connection and reason every
 * interval, counting what it left unsaid, so a sender retrying in a loop cannot flood the log. A line holds what the
 * sender was told, which never includes a secret or a computed signature.
 */
final class RejectionLog {

    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final RateLimitedLines lines;

    RejectionLog(Clock clock, Duration interval) {
        this.lines = new RateLimitedLines(clock, interval);
    }

    /** The line to log for this rejection, or empty when one like it was logged less than an interval ago. */
    Optional<String> line(String connection, int status, String code, String detail) {
        return lines.line(connection + " " + code, () -> "Webhook to connection " + connection + " rejected with "
                + status + " (" + code + "): " + detail);
    }
}
