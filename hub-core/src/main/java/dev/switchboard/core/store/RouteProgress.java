package dev.switchboard.core.store;

import java.util.List;

/**
 * What each route did with each event: the state of the route's {@linkplain RouteExecutions execution} of the event.
 * There is no per-route cursor: an execution is written with the event, in the append's transaction.
 */
public final class RouteProgress {

    /** The event's outcome for a route: its execution's state (see {@link RouteExecutions.Status}). */
    public enum Outcome {
        /** Not run yet (new, resumed after a step's delivery, or replayed). */
        PENDING,
        /** Running on an instance. */
        RUNNING,
        /** Waiting for the delivery of an action step ({@link Entry#step()}). */
        WAITING,
        /** The route ran to its end. */
        DONE,
        /** A filter in the route stopped the event; the detail names the route. */
        FILTERED,
        /** The route failed; the detail says why, and a route dead letter was recorded. */
        FAILED,
        /** The delivery of an action step ({@link Entry#step()}) was dead-lettered; the detail says why. */
        DEAD
    }

    /**
     * One route's outcome for an event.
     *
     * @param seq     the event's inbox position
     * @param routeId the route
     * @param outcome where its execution stands
     * @param step    for WAITING and DEAD, the action step (from 1) it is at; otherwise null
     * @param detail  why, for FILTERED, FAILED and DEAD; may be null
     */
    public record Entry(long seq, String routeId, Outcome outcome, Integer step, String detail) {
    }

    private final RouteExecutions executions;

    RouteProgress(RouteExecutions executions) {
        this.executions = executions;
    }

    /** Every route's outcome for an event, by route. */
    public List<Entry> outcomes(long seq) {
        return executions.forEvent(seq).stream().map(x -> new Entry(x.eventSeq(), x.routeId(),
                Outcome.valueOf(x.status().name()), x.step(), x.detail())).toList();
    }
}
