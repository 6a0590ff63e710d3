package dev.switchboard.connector.mlflow;

import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place MLflow failures become {@link ConnectorException}s of the right {@link ErrorKind}.
 * MLflow's own {@code error_code} decides over the HTTP status where both exist, because MLflow answers
 * {@code RESOURCE_ALREADY_EXISTS} with 400, not 409. Messages name the connection and the operation, and
 * never a header (the token lives there).
 */
public final class MlflowErrors {

    public static final String RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";
    public static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private MlflowErrors() {
    }

    /** An MLflow API failure, with MLflow's {@code error_code} when the server sent one. */
    public static final class MlflowApiException extends ConnectorException {

        private final int status;
        private final String errorCode;

        MlflowApiException(ErrorKind kind, String connection, String message, Duration retryAfter, int status,
                           String errorCode, Throwable cause) {
            super(kind, connection, message, retryAfter, cause);
            this.status = status;
            this.errorCode = errorCode;
        }

        /** The HTTP status, or 0 when no response arrived. */
        public int status() {
            return status;
        }

        /** MLflow's {@code error_code}, or empty for non-JSON answers and I/O failures. */
        public Optional<String> errorCode() {
            return Optional.ofNullable(errorCode);
        }

        public boolean is(String code) {
            return code.equals(errorCode);
        }

        public boolean isNotFound() {
            return is(RESOURCE_DOES_NOT_EXIST) || (errorCode == null && status == 404);
        }
    }

    /** Classifies a non-2xx answer to {@code operation}. */
    public static MlflowApiException fromResponse(String connection, String operation, int status, String body,
                                                  Optional<String> retryAfterHeader, Clock clock) {
        String errorCode = null;
        String detail = abbreviate(body);
        try {
            JsonNode node = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            if (node.hasNonNull("error_code")) {
                errorCode = node.get("error_code").asString();
                detail = errorCode + ": " + abbreviate(node.path("message").asString(""));
            }
        } catch (RuntimeException notJson) {
            // Flask's own 404/405 pages and --artifacts-only 503s are plain text; keep the text.
        }
        String message = operation + " failed with HTTP " + status + (detail.isEmpty() ? "" : " (" + detail + ")");
        Duration retryAfter = retryAfterHeader.flatMap(value -> parseRetryAfter(value, clock)).orElse(null);
        return new MlflowApiException(kindOf(status, errorCode), connection, message, retryAfter, status, errorCode, null);
    }

    /** Classifies an I/O failure: resets, refused connections and timeouts are worth a retry. */
    public static MlflowApiException fromIo(String connection, String operation, IOException e) {
        String what = e instanceof HttpTimeoutException ? "timed out" : "failed: " + e.getClass().getSimpleName();
        return new MlflowApiException(ErrorKind.TRANSIENT, connection, operation + " " + what, null, 0, null, e);
    }

    /** A 2xx answer the connector cannot read: a bug here or a server we do not know. */
    public static MlflowApiException unexpected(String connection, String operation, String why, Throwable cause) {
        return new MlflowApiException(ErrorKind.SYSTEM, connection,
                operation + " returned an unexpected payload: " + why, null, 0, null, cause);
    }

    static ErrorKind kindOf(int status, String errorCode) {
        if (errorCode != null) {
            switch (errorCode) {
                case "REQUEST_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED", "TEMPORARILY_UNAVAILABLE", "DEADLINE_EXCEEDED",
                     "INTERNAL_ERROR", "ABORTED" -> {
                    return ErrorKind.TRANSIENT;
                }
                default -> {
                    // fall through to the status
                }
            }
        }
        if (status == 429 || status == 408 || status >= 500) {
            return ErrorKind.TRANSIENT;
        }
        if (status >= 400) {
            return ErrorKind.CONFIGURATION;
        }
        return ErrorKind.SYSTEM;
    }

    /** {@code Retry-After} is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
    static Optional<Duration> parseRetryAfter(String value, Clock clock) {
        String text = value.trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(text))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_BODY_IN_MESSAGE ? oneLine : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "…";
    }
}
