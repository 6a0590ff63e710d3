package dev.switchboard.core.delivery;

import dev.switchboard.spi.ActionTarget;

/**
 * Enqueues each operation as a durable outbox delivery and returns at once; a {@link DeliveryEngine} performs
 * it. Dispatching the same call twice (same idempotency key, as when a route re-runs after a crash) stores it
 * once. Routes get {@link ActionTarget.Result#done()}, because the action has not run yet.
 */
public final class OutboxActionDispatcher implements ActionDispatcher {

    private final Outbox outbox;

    public OutboxActionDispatcher(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public ActionTarget.Result dispatch(ActionCall call) {
        outbox.enqueue(call);
        return ActionTarget.Result.done();
    }
}
