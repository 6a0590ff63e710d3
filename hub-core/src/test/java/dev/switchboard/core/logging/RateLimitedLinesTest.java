package dev.switchboard.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimitedLinesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RateLimitedLines lines = new RateLimitedLines(clock, Duration.ofSeconds(10));

    @Test
    void theFirstLineForAKeyIsWrittenAndRepeatsWithinTheIntervalAreCountedIntoTheNext() {
        AtomicInteger built = new AtomicInteger();
        assertThat(lines.line("k", () -> "line " + built.incrementAndGet())).hasValue("line 1");
        assertThat(lines.line("k", () -> "line " + built.incrementAndGet())).isEmpty();
        clock.advance(Duration.ofMillis(9_999));
        assertThat(lines.line("k", () -> "line " + built.incrementAndGet())).isEmpty();
        assertThat(built).as("a line left unsaid is never built").hasValue(1);
        assertThat(lines.line("other", () -> "other")).hasValue("other");

        clock.advance(Duration.ofMillis(1));

        assertThat(lines.line("k", () -> "line " + built.incrementAndGet()))
                .hasValue("line 2 (and 2 more like it since the last such line)");
        assertThat(lines.line("k", () -> "again")).isEmpty();
    }
}
