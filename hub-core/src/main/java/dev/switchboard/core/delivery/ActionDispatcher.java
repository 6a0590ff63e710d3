package dev.switchboard.core.delivery;

import dev.switchboard.spi.ActionTarget;

/**
 * Carries out the connector operations routes ask for. The route-facing contract is only the endpoint URI; how
 * an operation is performed (at once, or through the durable outbox) is this interface's business.
 */
public interface ActionDispatcher {

    /**
     * Performs or enqueues {@code call}.
     *
     * @return the action's result when it ran at once, or {@link ActionTarget.Result#done()} when it was
     *         enqueued for later delivery
     * @throws dev.switchboard.spi.ConnectorException when the call cannot be accepted
     */
    ActionTarget.Result dispatch(ActionCall call);
}
