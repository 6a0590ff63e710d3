package dev.switchboard.core.sync;

import java.util.List;

/**
 * What one sync run did (or, in a plan, would do) with one source object. Every object a run looks at ends with
 * exactly one outcome, so a run's summary can never hide a failure.
 *
 * @param objectKey the source object's {@link dev.switchboard.model.ResourceRef#key()}
 * @param kind      the outcome
 * @param reason    why: for {@code SKIPPED} and {@code FAILED} always; for {@code UPDATED} the fields changed;
 *                  may be {@code null} for {@code CREATED} and {@code UNCHANGED}
 * @param fidelity  what the target could not hold of this object (empty when it holds everything)
 */
public record SyncOutcome(String objectKey, Kind kind, String reason, List<FidelityGap> fidelity) {

    /** How the reason of a version the job's selection leaves out starts. */
    public static final String NOT_SELECTED = "not selected: ";

    /** The outcome of one object. */
    public enum Kind {
        /** A new object was made at the target (in a plan: would be made). */
        CREATED,
        /** The object at the target was brought in step (in a plan: would be). */
        UPDATED,
        /** The target already held the mapped state; nothing was written. */
        UNCHANGED,
        /** Deliberately not synced (not selected, or a copy a reverse job made); the reason says which. */
        SKIPPED,
        /** Could not be synced; the reason says why. The job's cursor stays before it, so the next run retries. */
        FAILED
    }

    public SyncOutcome {
        if (objectKey == null || kind == null) {
            throw new IllegalArgumentException("an outcome needs an object key and a kind");
        }
        if ((kind == Kind.SKIPPED || kind == Kind.FAILED) && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException(kind + " of " + objectKey + " needs a reason");
        }
        fidelity = fidelity == null ? List.of() : List.copyOf(fidelity);
    }

    /** Whether the job's selection left this version out ({@code SKIPPED}, "not selected: …"). */
    public boolean notSelected() {
        return kind == Kind.SKIPPED && reason.startsWith(NOT_SELECTED);
    }
}
