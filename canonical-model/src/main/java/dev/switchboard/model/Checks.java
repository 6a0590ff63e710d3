package dev.switchboard.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Constructor checks shared by the records; messages name the field and quote the bad value (truncated, so an
 * over-long value does not become an over-long message).
 *
 * <p>Every string a record holds is well-formed text: no NUL (PostgreSQL's {@code text} and {@code varchar} cannot
 * hold it) and no unpaired surrogate (it has no UTF-8 encoding, so the event could be stored but never sent on).
 * Every instant is within {@link CanonicalEvent#EARLIEST_TIME} and {@link CanonicalEvent#LATEST_TIME}.
 */
final class Checks {

    /** How much of a bad value a message quotes. */
    private static final int QUOTED = 80;

    private Checks() {
    }

    static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, but was " + quote(value));
        }
        return text(field, value);
    }

    /** {@link #requireText} with at most {@code maxLength} UTF-16 code units (what H2 counts; PostgreSQL counts fewer). */
    static String requireText(String field, String value, int maxLength) {
        requireText(field, value);
        return maxLength(field, value, maxLength);
    }

    static String maxLength(String field, String value, int maxLength) {
        if (value != null && value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be at most " + maxLength + " characters, but was "
                    + value.length() + ": " + quote(value));
        }
        return value;
    }

    /** An optional string ({@code null} passes) that must be well-formed text. */
    static String text(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(field + " must not contain NUL (U+0000), but was " + quote(value));
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " must be well-formed Unicode, but has an unpaired surrogate"
                        + " at index " + i + ": " + quote(value));
            }
        }
        return value;
    }

    static <T> T requireNonNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /** A required instant within the range every record allows. */
    static Instant requireTime(String field, Instant value) {
        return time(field, requireNonNull(field, value));
    }

    /** An optional instant ({@code null} passes) within the range every record allows. */
    static Instant time(String field, Instant value) {
        if (value != null && (value.isBefore(CanonicalEvent.EARLIEST_TIME) || value.isAfter(CanonicalEvent.LATEST_TIME))) {
            throw new IllegalArgumentException(field + " must be between " + CanonicalEvent.EARLIEST_TIME + " and "
                    + CanonicalEvent.LATEST_TIME + " (RFC 3339's four-digit years), but was " + quote(value));
        }
        return value;
    }

    static <V> Map<String, V> copyOf(String field, Map<String, V> map) {
        if (map == null) {
            return Map.of();
        }
        map.forEach((key, value) -> {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException(field + " must not have a blank key, but had " + quote(key));
            }
            text(field + " key", key);
            if (value == null) {
                throw new IllegalArgumentException(field + "." + key + " must not be null");
            }
            if (value instanceof String string) {
                text(field + "." + key, string);
            }
        });
        return Map.copyOf(map);
    }

    static Set<String> copyOf(String field, Set<String> set) {
        if (set == null) {
            return Set.of();
        }
        for (String element : set) {
            requireText(field + "[]", element);
        }
        return Set.copyOf(set);
    }

    static <T> List<T> copyOf(String field, List<T> list) {
        if (list == null) {
            return List.of();
        }
        for (T element : list) {
            requireNonNull(field + "[]", element);
        }
        return List.copyOf(list);
    }

    static long requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, but was " + value);
        }
        return value;
    }

    /** The value in quotes, cut after {@value #QUOTED} characters (with the full length said), control characters shown as {@code ?}. */
    static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        String shown = text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "…";
        shown = shown.chars().map(c -> Character.isISOControl(c) || Character.isSurrogate((char) c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "\"" + shown + "\"" + (text.length() > QUOTED ? " (" + text.length() + " characters)" : "");
    }
}
