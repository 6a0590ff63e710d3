package dev.switchboard.app.api;

import java.util.List;

/** Offset paging over an in-memory list: the page token is the offset of the next page. */
final class Pages {

    private Pages() {
    }

    /**
     * One page of a list.
     *
     * @param items the page
     * @param next  the token of the next page, or null on the last
     */
    record Slice<T>(List<T> items, String next) {
    }

    static <T> Slice<T> slice(List<T> all, String pageToken, Integer size) {
        int offset = offset(pageToken);
        int limit = size == null ? 50 : size;
        if (limit < 1 || limit > 500) {
            throw ApiProblem.badRequest("size must be between 1 and 500, was " + limit);
        }
        int end = Math.min(all.size(), offset + limit);
        List<T> items = offset >= all.size() ? List.of() : all.subList(offset, end);
        return new Slice<>(items, end < all.size() ? String.valueOf(end) : null);
    }

    static int limit(Integer size) {
        int limit = size == null ? 50 : size;
        if (limit < 1 || limit > 500) {
            throw ApiProblem.badRequest("size must be between 1 and 500, was " + limit);
        }
        return limit;
    }

    /** The offset a page token stands for; a token this API did not hand out is a 400. */
    static int offset(String pageToken) {
        if (pageToken == null || pageToken.isEmpty()) {
            return 0;
        }
        try {
            int offset = Integer.parseInt(pageToken);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.badRequest("pageToken \"" + pageToken + "\" is not a token this API returned");
    }
}
