package dev.switchboard.core.delivery;

import dev.switchboard.spi.ErrorKind;
import java.time.Instant;

/**
 * One attempt at a delivery, kept for the dead-letter history. Attempt numbers keep counting across replays.
 *
 * @param deliveryId the delivery
 * @param number     1 for the first attempt ever
 * @param startedAt  when it started
 * @param finishedAt when it ended, or null while it runs (or when its engine died)
 * @param outcome    how it ended
 * @param errorKind  the failure's kind, or null
 * @param error      the failure's message, or null
 */
public record Attempt(long deliveryId, int number, Instant startedAt, Instant finishedAt, Outcome outcome,
                      ErrorKind errorKind, String error) {

    /** How an attempt ended. */
    public enum Outcome {
        /** Still running, as far as the store knows. */
        STARTED,
        DELIVERED,
        FAILED,
        /** Its engine's lease ran out before it finished; another claim took the delivery over. */
        LEASE_EXPIRED
    }
}
