package dev.switchboard.core.logging;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides which of a stream of like log lines to write: the first for a key, then at most one per interval, each
 * counting the lines it left unsaid since the last. An operator sees a problem as it starts without a sender or a
 * tool failing in a loop flooding the log.
 */
public final class RateLimitedLines {

    private final Clock clock;
    private final long intervalMillis;
    /** Per key: when the last line was written, and how many lines since then were left unsaid. */
    private final Map<String, long[]> lines = new ConcurrentHashMap<>();

    public RateLimitedLines(Clock clock, Duration interval) {
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /**
     * The line to log for {@code key}, or empty when a line for it was logged less than an interval ago.
     *
     * @param text the line, built only when it is to be written
     */
    public Optional<String> line(String key, Supplier<String> text) {
        long now = clock.millis();
        long[] state = lines.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE, 0});
        synchronized (state) {
            if (state[0] != Long.MIN_VALUE && now - state[0] < intervalMillis) {
                state[1]++;
                return Optional.empty();
            }
            long unsaid = state[1];
            state[0] = now;
            state[1] = 0;
            return Optional.of(text.get()
                    + (unsaid == 0 ? "" : " (and " + unsaid + " more like it since the last such line)"));
        }
    }
}
