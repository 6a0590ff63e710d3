package dev.switchboard.spi;

/**
 * Which page of a listing to fetch.
 *
 * @param pageToken a token from a previous {@link Page#nextPageToken()}, or {@code null} for the first page
 * @param pageSize  how many items at most; a connector clamps it to the tool's own maximum
 */
public record PageRequest(String pageToken, int pageSize) {

    public PageRequest {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be at least 1, but was " + pageSize);
        }
    }

    public static PageRequest first(int pageSize) {
        return new PageRequest(null, pageSize);
    }

    public PageRequest next(Page<?> page) {
        return new PageRequest(page.nextPageToken(), pageSize);
    }
}
