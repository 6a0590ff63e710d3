package dev.switchboard.app.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** Builds a query string for the console's own links, leaving out empty values. */
final class ConsoleQuery {

    private ConsoleQuery() {
    }

    /** {@code name=value&…} from name, value pairs, each value URL-encoded; null or blank values are left out. */
    static String of(String... pairs) {
        StringJoiner query = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null && !pairs[i + 1].isBlank()) {
                query.add(pairs[i] + "=" + URLEncoder.encode(pairs[i + 1].trim(), StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }
}
