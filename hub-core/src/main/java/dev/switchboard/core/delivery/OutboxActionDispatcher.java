package dev.switchboard.core.delivery;

import dev.switchboard.core.store.RunWrites;
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
    private final DeliveryEngine engine;

    /** Every step enqueued, for whichever engine claims it. */
    public OutboxActionDispatcher(Outbox outbox) {
        this(outbox, null);
    }

    /**
     * A step's first attempt made at once on the route's worker by {@code engine} when its connection can take it
     * ({@link DeliveryEngine#performNow}), else enqueued.
     */
    public OutboxActionDispatcher(Outbox outbox, DeliveryEngine engine) {
        this.outbox = outbox;
        this.engine = engine;
    }

    @Override
    public StepOutcome perform(ActionCall call) {
        Optional<Delivery> existing = outbox.findByKey(call.idempotencyKey());
        return outcome(existing.orElseGet(() -> outbox.enqueueAbsent(call)));
    }

    /**
     * Looks the step's delivery up in committed rows (the run has no transaction); a new one is stored with the
     * run's end. Only this run stores the step's delivery (its claim on the execution), so none can appear between
     * the look-up and that commit; one stored by a run that lost its claim is rolled back with that run's end (and
     * a first attempt made by that run is made again by the run that took the execution over, under the same key).
     */
    @Override
    public StepOutcome perform(ActionCall call, RunWrites writes) {
        Outbox.StepLookup lookup = outbox.lookUpStep(call, writes.firstRun());
        if (lookup.stored().isPresent()) {
            return outcome(lookup.stored().get());
        }
        Optional<StepOutcome> now = engine == null || lookup.laneBusy() ? Optional.empty()
                : engine.performNow(call, writes);
        if (now.isPresent()) {
            return now.get();
        }
        outbox.enqueueWith(call, writes);
        return new StepOutcome.Queued(call.idempotencyKey());
    }

    private StepOutcome outcome(Delivery delivery) {
        return switch (delivery.status()) {
            case DELIVERED -> new StepOutcome.Completed(outbox.result(delivery.id()));
            case DEAD -> new StepOutcome.Dead(delivery.id(), delivery.lastError());
            case PENDING, IN_FLIGHT -> new StepOutcome.Waiting(delivery.id());
        };
    }
}
