package dev.switchboard.spi;

/** The value types an option can have; {@link Options#validate} checks values against them. */
public enum OptionType {
    /** Any non-blank text. */
    STRING,
    /** An absolute {@code http} or {@code https} URL. */
    URL,
    /** A whole number. */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** An ISO-8601 duration ({@code PT30S}) or a number with a unit ({@code 30s}, {@code 500ms}, {@code 5m}). */
    DURATION
}
