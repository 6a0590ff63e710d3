package dev.switchboard.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * "Did you mean" for names a user typed: the configuration check ({@code switchboard validate}) and the route
 * validator use the same rule, so a typo gets the same kind of hint wherever it is.
 */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The known name nearest to {@code typed}, when it is near enough to be a typo of it: at most two edits, or a
     * third of the typed name's length for long names.
     */
    public static Optional<String> nearest(String typed, Collection<String> known) {
        return known.stream()
                .min(Comparator.comparingInt(candidate -> distance(typed, candidate)))
                .filter(candidate -> distance(typed, candidate) <= Math.max(2, typed.length() / 3));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
