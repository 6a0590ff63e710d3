package dev.switchboard.connector.github;

import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place GitHub failures become {@link ConnectorException}s. Rate limits answer 403 or 429: with
 * {@code retry-after} (secondary limits) the hub waits that long; with {@code x-ratelimit-remaining: 0} it waits
 * until {@code x-ratelimit-reset}; a 403 that says "secondary rate limit" without either waits a minute, as
 * GitHub asks. Other 4xx are configuration errors (a missing workflow, an undeclared input, a token without
 * permission), 5xx and I/O failures are transient. Messages carry GitHub's {@code message}, never a header.
 */
final class GitHubErrors {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration SECONDARY_LIMIT_WAIT = Duration.ofMinutes(1);

    private GitHubErrors() {
    }

    static ConnectorException fromResponse(String connection, String operation, int status, HttpHeaders headers,
                                           String body, Clock clock) {
        String message = message(body);
        String what = operation + " failed with HTTP " + status + (message.isEmpty() ? "" : ": " + message);
        if (status == 403 || status == 429) {
            Optional<Duration> wait = headers.firstValue("retry-after").flatMap(GitHubErrors::seconds)
                    .or(() -> headers.firstValue("x-ratelimit-remaining").filter("0"::equals)
                            .flatMap(zero -> headers.firstValue("x-ratelimit-reset")).flatMap(GitHubErrors::epoch)
                            .map(reset -> Duration.between(clock.instant(), reset)).map(d -> d.isNegative() ? Duration.ZERO : d))
                    .or(() -> status == 429 || message.toLowerCase(Locale.ROOT).contains("rate limit")
                            ? Optional.of(SECONDARY_LIMIT_WAIT) : Optional.empty());
            if (wait.isPresent()) {
                return ConnectorException.retryAfter(connection, what + " (rate limited)", wait.get());
            }
        }
        ErrorKind kind = status >= 500 ? ErrorKind.TRANSIENT : status >= 400 ? ErrorKind.CONFIGURATION : ErrorKind.SYSTEM;
        return new ConnectorException(kind, connection, what, null, null);
    }

    static ConnectorException fromIo(String connection, String operation, IOException e) {
        String what = e instanceof HttpTimeoutException ? " timed out" : " failed: " + e.getClass().getSimpleName();
        return ConnectorException.transientFailure(connection, operation + what, e);
    }

    private static String message(String body) {
        try {
            JsonNode node = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            return node.path("message").asString("");
        } catch (RuntimeException notJson) {
            return body == null ? "" : body.substring(0, Math.min(200, body.length()));
        }
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> epoch(String value) {
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
