package dev.switchboard.core.delivery;

import java.util.Optional;

/**
 * Performs each step through the durable outbox: the first time an execution reaches a step, its call is enqueued
 * (the {@link DeliveryEngine} performs it with its connection's retries, backoff, breaker and bulkhead) and the
 * execution waits; once the delivery is DELIVERED, the execution runs again and this answers with the recorded
 * result at once (memoised under the step's idempotency key), so the route goes on to its next step and a step that
 * succeeded is never performed again.
 */
public final class OutboxActionDispatcher implements ActionDispatcher {

    private final Outbox outbox;

    public OutboxActionDispatcher(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public StepOutcome perform(ActionCall call) {
        Optional<Delivery> existing = outbox.findByKey(call.idempotencyKey());
        Delivery delivery = existing.orElseGet(() -> outbox.enqueueAbsent(call));
        return switch (delivery.status()) {
            case DELIVERED -> new StepOutcome.Completed(outbox.result(delivery.id()));
            case DEAD -> new StepOutcome.Dead(delivery.id(), delivery.lastError());
            case PENDING, IN_FLIGHT -> new StepOutcome.Waiting(delivery.id());
        };
    }
}
