package dev.switchboard.spi;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items         the page's items, in the tool's order
 * @param nextPageToken the token for the next page, or {@code null} on the last page
 * @param <T>           the item type
 */
public record Page<T>(List<T> items, String nextPageToken) {

    public Page {
        items = items == null ? List.of() : List.copyOf(items);
        nextPageToken = nextPageToken == null || nextPageToken.isEmpty() ? null : nextPageToken;
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, null);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextPageToken);
    }
}
