package dev.switchboard.core.delivery;

import dev.switchboard.spi.ActionTarget;

/** Where one action step of a route execution stands after the {@link ActionDispatcher} saw it. */
public sealed interface StepOutcome {

    /** The action was performed: now, or earlier (its recorded result, memoised under its idempotency key). */
    record Completed(ActionTarget.Result result) implements StepOutcome {
    }

    /** The action is queued as delivery {@code deliveryId} and not done yet: the execution waits for it. */
    record Waiting(long deliveryId) implements StepOutcome {
    }

    /**
     * The action's delivery is among the route run's writes ({@link dev.switchboard.core.store.RunWrites}), stored
     * with the run's end under {@code idempotencyKey}: the execution waits for it, its id known once stored.
     */
    record Queued(String idempotencyKey) implements StepOutcome {
    }

    /** The action's delivery {@code deliveryId} was dead-lettered: the execution stops at this step. */
    record Dead(long deliveryId, String reason) implements StepOutcome {
    }
}
