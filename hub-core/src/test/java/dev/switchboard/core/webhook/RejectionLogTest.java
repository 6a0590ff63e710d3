package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RejectionLogTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RejectionLog log = new RejectionLog(clock, Duration.ofSeconds(10));

    @Test
    void aRejectionIsOneLineAndARepeatWithinTheIntervalIsCountedNotLogged() {
        assertThat(log.line("github", 401, "bad_signature", "the signature does not match"))
                .hasValue("Webhook to connection github rejected with 401 (bad_signature): the signature does not match");
        assertThat(log.line("github", 401, "bad_signature", "the signature does not match")).isEmpty();
        assertThat(log.line("github", 401, "bad_signature", "the signature does not match")).isEmpty();

        clock.advance(Duration.ofSeconds(10));

        assertThat(log.line("github", 401, "bad_signature", "the signature does not match")).get().asString()
                .endsWith("(and 2 more like it since the last such line)");
    }

    @Test
    void eachConnectionAndReasonHasItsOwnLine() {
        assertThat(log.line("github", 401, "bad_signature", "x")).isPresent();
        assertThat(log.line("github", 413, "too_large", "x")).isPresent();
        assertThat(log.line("mlflow", 401, "bad_signature", "x")).isPresent();
        assertThat(log.line("github", 401, "bad_signature", "x")).isEmpty();
    }
}
