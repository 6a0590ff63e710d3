package dev.switchboard.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Constructor checks shared by the records; messages name the field and quote the bad value. */
final class Checks {

    private Checks() {
    }

    static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, but was " + quote(value));
        }
        return value;
    }

    static <T> T requireNonNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
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
            if (value == null) {
                throw new IllegalArgumentException(field + "." + key + " must not be null");
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

    static String quote(Object value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
