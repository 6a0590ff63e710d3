package dev.switchboard.core.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of one route run, collected while the route runs outside any transaction and applied, with the
 * execution's end ({@link RouteExecutions#finish}), as one unit of the {@link GroupCommit}: the step's delivery, the
 * events a {@code switchboard:events} step appends. A run then shares its commit with the webhooks' appends and the
 * deliveries' outcomes instead of committing alone.
 *
 * <p>{@link #apply} may run more than once (a shared transaction that failed runs each unit again alone), each
 * time in a transaction whose earlier attempt was rolled back, so a write must not keep state of its own between
 * runs other than through {@link #inserted}. Not thread-safe: one run, one thread.
 */
public final class RunWrites {

    private final List<Runnable> writes = new ArrayList<>();
    private final Map<String, Long> deliveries = new HashMap<>();
    private final boolean firstRun;

    /** The writes of a run not known to be its execution's first. */
    public RunWrites() {
        this(false);
    }

    /** The writes of a run; {@code firstRun} as {@link #firstRun()} answers. */
    public RunWrites(boolean firstRun) {
        this.firstRun = firstRun;
    }

    /**
     * Whether this is the execution's first run ({@code runs} is 1 once claimed): no earlier run of it stored
     * anything, so none of its steps has a delivery yet and a step need not look its own up. A run whose claim was
     * taken over while it went on may then attempt a step that the new run already performed (as it could before,
     * when its look-up came before the new run's commit); both attempts carry the step's idempotency key.
     */
    public boolean firstRun() {
        return firstRun;
    }

    /** Adds {@code write}, statements to run in the run's unit, in the order they were added. */
    public void add(Runnable write) {
        writes.add(write);
    }

    /** Whether the run wrote nothing (its end alone is recorded). */
    public boolean isEmpty() {
        return writes.isEmpty();
    }

    /** Runs every write, in the caller's transaction. */
    void apply() {
        deliveries.clear();
        writes.forEach(Runnable::run);
    }

    /** Called by a write that stored the delivery of the step with {@code idempotencyKey} as {@code id}. */
    public void inserted(String idempotencyKey, long id) {
        deliveries.put(idempotencyKey, id);
    }

    /** The delivery stored for {@code idempotencyKey} by the last {@link #apply}, or null. */
    Long deliveryId(String idempotencyKey) {
        return deliveries.get(idempotencyKey);
    }
}
