package dev.switchboard.spi;

import java.time.Duration;

/**
 * The outcome of a live {@link Connection#check}.
 *
 * @param ok      whether the tool answered as expected
 * @param message what was checked or what failed, fit to show a user (never a secret)
 * @param took    how long the probe took
 */
public record CheckResult(boolean ok, String message, Duration took) {

    public static CheckResult ok(String message, Duration took) {
        return new CheckResult(true, message, took);
    }

    public static CheckResult failed(String message, Duration took) {
        return new CheckResult(false, message, took);
    }
}
