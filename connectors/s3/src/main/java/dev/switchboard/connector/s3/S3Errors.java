package dev.switchboard.connector.s3;

import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place S3 failures become {@link ConnectorException}s: throttling ({@code SlowDown}, 503), 5xx,
 * timeouts and I/O are transient; a missing object or bucket, denied access and bad credentials are
 * configuration errors. Any configured secret the server echoes is replaced before it reaches a message.
 */
final class S3Errors {

    /**
     * {@code BadDigest} is among them because the connector checks the content's digest itself before the server
     * can: the server computing another one from what it received means bytes changed on the way.
     */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "ServiceUnavailable", "InternalError",
            "RequestTimeout", "RequestTimeTooSkewed", "Throttling", "ThrottlingException", "TooManyRequestsException",
            "BadDigest");

    private final String connection;
    private final List<String> secrets;

    S3Errors(String connection, Collection<String> secrets) {
        this.connection = connection;
        this.secrets = secrets.stream().filter(s -> !s.isBlank()).toList();
    }

    static boolean isNotFound(SdkException e) {
        return e instanceof AwsServiceException service && service.statusCode() == 404
                && !"NoSuchBucket".equals(code(service));
    }

    private static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
    }

    ConnectorException classify(String operation, String uri, SdkException e) {
        String what = "S3 " + operation + " of " + uri + " failed: ";
        if (e instanceof SdkClientException) {
            return ConnectorException.transientFailure(connection, what + scrub(String.valueOf(e.getMessage())), e);
        }
        if (!(e instanceof AwsServiceException service)) {
            return ConnectorException.system(connection, what + e.getClass().getSimpleName(), null);
        }
        String code = code(service);
        int status = service.statusCode();
        ErrorKind kind = TRANSIENT_CODES.contains(code) || status == 429 || status >= 500 ? ErrorKind.TRANSIENT
                : status >= 400 ? ErrorKind.CONFIGURATION : ErrorKind.SYSTEM;
        String message = service.awsErrorDetails() == null ? "" : String.valueOf(service.awsErrorDetails().errorMessage());
        Duration retryAfter = kind != ErrorKind.TRANSIENT || service.awsErrorDetails() == null
                || service.awsErrorDetails().sdkHttpResponse() == null ? null : service.awsErrorDetails()
                .sdkHttpResponse().firstMatchingHeader("Retry-After").map(S3Errors::seconds).orElse(null);
        return new ConnectorException(kind, connection, what + (code.isEmpty() ? "" : code + ": ") + scrub(message)
                + " (HTTP " + status + ")", retryAfter, null);
    }

    /** {@code Retry-After} in delta-seconds, as S3-compatible servers send it; null for an HTTP date. */
    private static Duration seconds(String retryAfter) {
        return retryAfter.trim().matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(retryAfter.trim())) : null;
    }

    String scrub(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }
}
