package dev.switchboard.spi;

import java.util.regex.Pattern;

/**
 * The metadata of one connector option: enough to validate a value, apply a default, document the option
 * and redact it. Immutable; build with {@link #required} or {@link #optional} and the {@code with…} methods.
 *
 * @param name         the key under {@code connections.<name>.options}, in kebab-case ({@code tracking-url})
 * @param type         the value type
 * @param defaultValue the value used when the option is absent, or {@code null} for none
 * @param required     whether a value must be given (a required option has no default)
 * @param secret       whether the value is a credential: it is never logged, shown or echoed in an error
 * @param description  one sentence for documentation and {@code validate} output
 */
public record OptionDefinition(String name, OptionType type, String defaultValue, boolean required, boolean secret,
                               String description) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public OptionDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be kebab-case, but was \"" + name + "\"");
        }
        if (type == null) {
            throw new IllegalArgumentException("type of option " + name + " must not be null");
        }
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("required option " + name + " must not have a default");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("option " + name + " needs a description");
        }
    }

    /** A required option without default. */
    public static OptionDefinition required(String name, OptionType type, String description) {
        return new OptionDefinition(name, type, null, true, false, description);
    }

    /** An optional option with the given default ({@code null} for none). */
    public static OptionDefinition optional(String name, OptionType type, String defaultValue, String description) {
        return new OptionDefinition(name, type, defaultValue, false, false, description);
    }

    /** The same option, marked as a secret. */
    public OptionDefinition asSecret() {
        return new OptionDefinition(name, type, defaultValue, required, true, description);
    }
}
