package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.delivery.DeliveryEngine.Settings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffAndSettingsTest {

    @Test
    void theCeilingDoublesPerAttemptUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.999);

        assertThat(backoff.cap(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.cap(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.cap(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(backoff.cap(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.cap(10_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theDelayIsAFullJitterOfTheCeilingUnlessTheToolSaidWhenToComeBack() {
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.0).delay(5, Optional.empty()))
                .isZero();
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5).delay(3, Optional.empty()))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5)
                .delay(3, Optional.of(Duration.ofSeconds(90)))).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void settingsQuoteTheBadValue() {
        Settings defaults = Settings.DEFAULTS;
        assertThatThrownBy(() -> new Settings(0, defaults.baseBackoff(), defaults.maxBackoff(), 4, defaults.lease(),
                defaults.pollInterval())).hasMessage("maxAttempts must be at least 1, but was 0");
        assertThatThrownBy(() -> new Settings(8, Duration.ofSeconds(-1), defaults.maxBackoff(), 4, defaults.lease(),
                defaults.pollInterval())).hasMessage("baseBackoff must be a positive duration, but was PT-1S");
        assertThatThrownBy(() -> new Settings(8, Duration.ofSeconds(10), Duration.ofSeconds(5), 4, defaults.lease(),
                defaults.pollInterval())).hasMessage("maxBackoff must not be less than baseBackoff (PT10S), but was PT5S");
        assertThatThrownBy(() -> new Settings(8, defaults.baseBackoff(), defaults.maxBackoff(), 0, defaults.lease(),
                defaults.pollInterval())).hasMessage("workers must be at least 1, but was 0");
        assertThatThrownBy(() -> new Settings(8, defaults.baseBackoff(), defaults.maxBackoff(), 4, Duration.ZERO,
                defaults.pollInterval())).hasMessage("lease must be a positive duration, but was PT0S");
        assertThatThrownBy(() -> new Settings(8, defaults.baseBackoff(), defaults.maxBackoff(), 4, defaults.lease(),
                null)).hasMessage("pollInterval must be a positive duration, but was null");
    }
}
