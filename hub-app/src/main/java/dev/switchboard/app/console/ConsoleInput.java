package dev.switchboard.app.console;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads the console's query parameters; a value that does not parse is a {@link Refused} naming the field. */
final class ConsoleInput {

    /** Input the console cannot use; the page shows the message and answers 400. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private ConsoleInput() {
    }

    /** The trimmed value, or null when it is missing or blank (an empty filter field means no filter). */
    static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    static Instant instant(String field, String value) {
        String text = optional(value);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Refused(field + ": expected a UTC time such as 2024-05-01T10:00:00Z, was \""
                    + abbreviate(text) + "\"");
        }
    }

    static Long number(String field, String value) {
        String text = optional(value);
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Refused(field + ": expected a whole number, was \"" + abbreviate(text) + "\"");
        }
    }

    static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
