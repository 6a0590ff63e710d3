package dev.switchboard.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A classified failure of a connector operation. Every exception a port method lets escape should be one of
 * these; anything else is treated as {@link ErrorKind#SYSTEM}.
 *
 * <p>The message must name the connection and the object involved and must never contain a secret (token,
 * password, signing key); {@link #getMessage()} is shown to users and written to logs and dead letters.
 */
public class ConnectorException extends RuntimeException {

    private final ErrorKind kind;
    private final String connection;
    private final Duration retryAfter;

    public ConnectorException(ErrorKind kind, String connection, String message, Duration retryAfter, Throwable cause) {
        super("[" + connection + "] " + message, cause);
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        this.kind = kind;
        this.connection = connection;
        this.retryAfter = retryAfter;
    }

    /** The configuration or request is wrong; never retried. */
    public static ConnectorException configuration(String connection, String message) {
        return new ConnectorException(ErrorKind.CONFIGURATION, connection, message, null, null);
    }

    /** A temporary failure; retried with backoff. */
    public static ConnectorException transientFailure(String connection, String message, Throwable cause) {
        return new ConnectorException(ErrorKind.TRANSIENT, connection, message, null, cause);
    }

    /** A temporary failure where the tool said when to come back (HTTP {@code Retry-After}). */
    public static ConnectorException retryAfter(String connection, String message, Duration retryAfter) {
        return new ConnectorException(ErrorKind.TRANSIENT, connection, message, retryAfter, null);
    }

    /** A bug or an unexpected response; not retried. */
    public static ConnectorException system(String connection, String message, Throwable cause) {
        return new ConnectorException(ErrorKind.SYSTEM, connection, message, null, cause);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String connection() {
        return connection;
    }

    /** How long the tool asked the caller to wait before the next attempt, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whether a retry may succeed. */
    public boolean isRetryable() {
        return kind == ErrorKind.TRANSIENT;
    }
}
