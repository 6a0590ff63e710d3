package dev.switchboard.core.delivery;

import java.time.Instant;

/**
 * Which dead letters to list or replay; every null field matches everything.
 *
 * @param connection only those for this connection
 * @param stage      only those of this stage
 * @param from       only those created at or after this
 * @param to         only those created before this
 * @param open       true: only open ones; false: only replayed ones
 */
public record DeadLetterFilter(String connection, DeadLetter.Stage stage, Instant from, Instant to, Boolean open) {

    public static DeadLetterFilter all() {
        return new DeadLetterFilter(null, null, null, null, null);
    }

    public static DeadLetterFilter openFor(String connection) {
        return new DeadLetterFilter(connection, null, null, null, true);
    }

    public DeadLetterFilter withStage(DeadLetter.Stage stage) {
        return new DeadLetterFilter(connection, stage, from, to, open);
    }

    public DeadLetterFilter between(Instant from, Instant to) {
        return new DeadLetterFilter(connection, stage, from, to, open);
    }

    public DeadLetterFilter onlyOpen(Boolean open) {
        return new DeadLetterFilter(connection, stage, from, to, open);
    }
}
