package dev.switchboard.core.delivery;

import dev.switchboard.core.store.RunWrites;

/**
 * Carries out the connector operations routes ask for. The route-facing contract is only the endpoint URI; how
 * an operation is performed (at once, or through the durable outbox) is this interface's business.
 */
public interface ActionDispatcher {

    /**
     * Performs {@code call}, or finds it performed, or queues it. Called each time a route execution reaches the
     * step, so it must give the same answer for the same {@link ActionCall#idempotencyKey()} once the step is done.
     *
     * @return {@link StepOutcome.Completed} with the action's result when it is done (the route goes on to its
     *         next step), {@link StepOutcome.Waiting} while its delivery is not done (the execution waits),
     *         {@link StepOutcome.Dead} when its delivery was given up on (the execution stops at this step)
     * @throws dev.switchboard.spi.ConnectorException when the call cannot be accepted
     */
    StepOutcome perform(ActionCall call);

    /**
     * {@link #perform(ActionCall)} in a route run whose writes are applied with its end ({@code writes}): a
     * dispatcher that stores the step puts that write there and answers {@link StepOutcome.Queued}. By default,
     * performs the call as {@link #perform(ActionCall)} does.
     */
    default StepOutcome perform(ActionCall call, RunWrites writes) {
        return perform(call);
    }
}
