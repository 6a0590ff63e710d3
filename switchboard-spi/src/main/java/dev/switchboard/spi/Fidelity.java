package dev.switchboard.spi;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a tool can hold of the canonical model. A sync compares the source object with the target's fidelity
 * and lists every field it could not carry in its fidelity report, instead of dropping it silently.
 *
 * @param supported         the canonical fields the tool stores natively
 * @param maxTags           the most tags (or metadata entries) one object can carry; {@code Integer.MAX_VALUE}
 *                          when unlimited
 * @param maxTagValueLength the longest tag value the tool accepts, in characters
 * @param notes             how the connector represents fields without a native home (for example "aliases
 *                          are kept as metadata properties {@code switchboard.alias.<name>}"), for the report
 */
public record Fidelity(Set<Field> supported, int maxTags, int maxTagValueLength, String notes) {

    /** The canonical fields of a model version a tool may or may not hold. */
    public enum Field {
        DESCRIPTION, TAGS, ALIASES, STAGE, APPROVAL, METRICS, PARAMS, SOURCE_RUN, ARTIFACT, TIMESTAMPS
    }

    public Fidelity {
        supported = supported == null || supported.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(supported));
        if (maxTags < 0 || maxTagValueLength < 0) {
            throw new IllegalArgumentException("maxTags and maxTagValueLength must not be negative, but were "
                    + maxTags + " and " + maxTagValueLength);
        }
        notes = notes == null ? "" : notes;
    }

    /** A tool that holds every field without limits; a starting point for connectors. */
    public static Fidelity full() {
        return new Fidelity(EnumSet.allOf(Field.class), Integer.MAX_VALUE, Integer.MAX_VALUE, "");
    }

    /** A tool that holds none of the fields (connectors without a model registry). */
    public static Fidelity none() {
        return new Fidelity(Set.of(), 0, 0, "");
    }

    public boolean supports(Field field) {
        return supported.contains(field);
    }
}
