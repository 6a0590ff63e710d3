package dev.switchboard.core.delivery;

import dev.switchboard.model.CanonicalEvent;
import java.time.Instant;
import java.util.Map;

/**
 * One durable delivery in the outbox: a connector operation a route asked for, and where it stands.
 *
 * @param id             the outbox id; lower ids of the same subject are delivered first
 * @param idempotencyKey the same on every attempt and every replay
 * @param connection     the connection to perform it on
 * @param action         the action name
 * @param parameters     the route endpoint's parameters
 * @param event          the event the action is for
 * @param eventSeq       the event's inbox position, or null when it did not come from the inbox
 * @param routeId        the route that asked, or null
 * @param subject        the event's subject, for per-subject ordering
 * @param status         where it stands
 * @param attempts       attempts since it was enqueued or last replayed
 * @param nextAttemptAt  when it is due (PENDING)
 * @param leaseUntil     until when its claim holds (IN_FLIGHT), or null
 * @param claimToken     the claim that holds it (IN_FLIGHT), or null
 * @param lastError      the last failure, or null
 * @param createdAt      when it was enqueued
 */
public record Delivery(long id, String idempotencyKey, String connection, String action, Map<String, String> parameters,
                       CanonicalEvent event, Long eventSeq, String routeId, String subject, Status status, int attempts,
                       Instant nextAttemptAt, Instant leaseUntil, String claimToken, String lastError,
                       Instant createdAt) {

    /** Where a delivery stands. A retry waiting for its next attempt is PENDING with {@code attempts > 0}. */
    public enum Status {
        /** Waiting to be claimed once {@code nextAttemptAt} has passed. */
        PENDING,
        /** Claimed by an engine until {@code leaseUntil}; due again after that (the engine is presumed dead). */
        IN_FLIGHT,
        /** The target accepted it. */
        DELIVERED,
        /** Given up on; a dead letter says why. Does not hold back later deliveries of its subject. */
        DEAD
    }

    public Delivery {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** {@code call}'s delivery as stored under {@code id}, created (and due) {@code at}. */
    static Delivery of(long id, ActionCall call, Status status, int attempts, Instant at, Instant leaseUntil,
                       String claimToken, String lastError) {
        return new Delivery(id, call.idempotencyKey(), call.connection(), call.action(), call.parameters(),
                call.event(), call.eventSeq(), call.routeId(), call.event().subject(), status, attempts, at, leaseUntil,
                claimToken, lastError, at);
    }
}
