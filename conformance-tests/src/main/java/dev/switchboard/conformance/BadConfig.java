package dev.switchboard.conformance;

import dev.switchboard.spi.ConnectionConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration the connector must reject, and every problem it must report for it (see
 * {@link ConfigSuite#everyBadConfigReportsEveryExpectedProblem()}).
 *
 * @param why      what is wrong, in words, for the failure message
 * @param config   the configuration
 * @param expected the problems that must all be reported; more are allowed
 */
public record BadConfig(String why, ConnectionConfig config, List<Expected> expected) {

    public BadConfig {
        expected = List.copyOf(expected);
    }

    /** Starts a bad config; add what it must report with {@link #expect}. */
    public static BadConfig of(String why, ConnectionConfig config) {
        return new BadConfig(why, config, List.of());
    }

    /**
     * The same bad config, also expecting a problem at {@code option}'s path whose message contains
     * {@code messagePart} (case-insensitive; empty for any message).
     */
    public BadConfig expect(String option, String messagePart) {
        List<Expected> all = new ArrayList<>(expected);
        all.add(new Expected(option, messagePart));
        return new BadConfig(why, config, all);
    }

    /**
     * One problem that must be reported.
     *
     * @param option      the option the problem's path must name ({@code connections.<name>.options.<option>})
     * @param messagePart text the message must contain, case-insensitive; empty for any
     */
    public record Expected(String option, String messagePart) {
    }
}
