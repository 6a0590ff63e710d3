package dev.switchboard.core.delivery;

import java.time.Instant;

/**
 * Something the hub could not do, with its reason.
 *
 * @param id         the dead letter's id
 * @param stage      where it failed
 * @param deliveryId the delivery, for {@link Stage#DELIVERY}; null otherwise
 * @param eventSeq   the inbox event it concerns, or null
 * @param connection the connection that refused: the delivery's, or for a hub action the tool whose call failed
 *                   ({@code s3-models} for a {@code hub/copy-artifact} whose write S3 refused); null for route
 *                   dead letters
 * @param action     the delivery's action as {@code connection/action} ({@code hub/copy-artifact}), for
 *                   {@link Stage#SYNC} {@code sync/<job>}; null for route dead letters
 * @param routeId    the route that failed, for {@link Stage#ROUTE}; may be null otherwise
 * @param reason     why, including the last error
 * @param createdAt  when it was recorded
 * @param replayedAt when it was replayed (for {@link Stage#SYNC}: when the object was then synced), or null while
 *                   it is open
 * @param sync       the sync job's object, for {@link Stage#SYNC}; null otherwise
 */
public record DeadLetter(long id, Stage stage, Long deliveryId, Long eventSeq, String connection, String action,
                         String routeId, String reason, Instant createdAt, Instant replayedAt, SyncObject sync) {

    /**
     * The object of a sync job that failed.
     *
     * @param job       the sync job
     * @param runId     the applied run that last failed it
     * @param objectKey the source object's key ({@code connection:kind:nativeId})
     * @param model     its model's name at the source
     * @param version   its version at the source
     */
    public record SyncObject(String job, String runId, String objectKey, String model, String version) {
    }

    /** The stage of the data flow that gave up. */
    public enum Stage {
        /** A route failed on an event (recorded by {@code RouteProgress} when it records FAILED). */
        ROUTE,
        /** A delivery failed permanently or ran out of attempts. */
        DELIVERY,
        /** An object FAILED in an applied sync run (recorded with the run's outcomes, in their transaction). */
        SYNC;

        /** The stored form, {@code route}, {@code delivery} or {@code sync}. */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Stage ofCode(String code) {
            return valueOf(code.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Whether it has not been replayed yet. */
    public boolean open() {
        return replayedAt == null;
    }
}
