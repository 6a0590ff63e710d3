package dev.switchboard.core.sync;

import dev.switchboard.spi.Fidelity;

/**
 * One thing about a source object that the target could not hold, as a sync reports it instead of dropping it
 * silently.
 *
 * @param field  the canonical field
 * @param detail what was not carried, and what was carried instead where a mapping applied
 */
public record FidelityGap(Fidelity.Field field, String detail) {

    @Override
    public String toString() {
        return field + ": " + detail;
    }
}
