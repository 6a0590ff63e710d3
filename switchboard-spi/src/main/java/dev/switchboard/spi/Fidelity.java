package dev.switchboard.spi;

import dev.switchboard.model.Stage;
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
 * @param tagRule           which tags the tool cannot hold beyond the length limit (characters, key length,
 *                          empty values, keys it uses itself); {@link TagRule#ANY} when every tag fits
 * @param stages            the stages the tool can hold when it supports {@link Field#STAGE}: all four when
 *                          {@code null} or empty (the Kubeflow Model Registry holds only {@code NONE} and
 *                          {@code ARCHIVED}, its {@code state} LIVE and ARCHIVED); none without {@link Field#STAGE}
 */
public record Fidelity(Set<Field> supported, int maxTags, int maxTagValueLength, String notes, TagRule tagRule,
                       Set<Stage> stages) {

    /** Says why a tool cannot hold one tag, so a sync can leave it out with a fidelity gap instead of failing. */
    @FunctionalInterface
    public interface TagRule {

        /** Every tag fits (apart from {@link #maxTagValueLength}). */
        TagRule ANY = (key, value) -> java.util.Optional.empty();

        /** Why {@code key=value} cannot be held, or empty when it can. */
        java.util.Optional<String> rejects(String key, String value);
    }

    /** A tool whose only tag limits are the count and the value length. */
    public Fidelity(Set<Field> supported, int maxTags, int maxTagValueLength, String notes) {
        this(supported, maxTags, maxTagValueLength, notes, TagRule.ANY);
    }

    /** A tool that holds every stage when it supports {@link Field#STAGE}. */
    public Fidelity(Set<Field> supported, int maxTags, int maxTagValueLength, String notes, TagRule tagRule) {
        this(supported, maxTags, maxTagValueLength, notes, tagRule, null);
    }

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
        tagRule = tagRule == null ? TagRule.ANY : tagRule;
        if (!supported.contains(Field.STAGE)) {
            stages = Set.of();
        } else {
            stages = stages == null || stages.isEmpty() ? Set.copyOf(EnumSet.allOf(Stage.class))
                    : Set.copyOf(EnumSet.copyOf(stages));
        }
    }

    /** Whether the tool can hold {@code stage}: it supports {@link Field#STAGE} and has it among its {@link #stages}. */
    public boolean holdsStage(Stage stage) {
        return stages.contains(stage);
    }

    /** Why the tool cannot hold {@code key=value} (too long a value, or its {@link #tagRule}), or empty. */
    public java.util.Optional<String> rejectsTag(String key, String value) {
        if (value.length() > maxTagValueLength) {
            return java.util.Optional.of("values longer than the target's limit of " + maxTagValueLength + " characters");
        }
        return tagRule.rejects(key, value);
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
