package dev.switchboard.connector.sagemaker;

import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place SageMaker failures become {@link ConnectorException}s of the right {@link ErrorKind}. The AWS
 * error code decides ({@code __type} of the awsJson 1.1 body, or the {@code x-amzn-ErrorType} header, as the SDK
 * parsed it); the HTTP status only where there is no code. SageMaker answers "not found" with
 * {@code ValidationException "... does not exist."} as often as with {@code ResourceNotFound}: both are
 * {@link #isNotFound not found}. Messages name the connection and the operation; any configured secret that the
 * service echoes is replaced before it reaches a message.
 */
final class SageMakerErrors {

    /** botocore's throttle codes (retries/standard.py). */
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
            "RequestThrottledException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
            "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
            "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
            "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException", "InternalFailure",
            "ServiceUnavailable");

    private final String connection;
    private final List<String> secrets;

    SageMakerErrors(String connection, Collection<String> secrets) {
        this.connection = connection;
        this.secrets = secrets.stream().filter(s -> !s.isBlank()).toList();
    }

    /** The AWS error code of a service failure, or empty for client-side failures. */
    static String code(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return "";
    }

    /** Whether SageMaker said the object does not exist, in either of its two ways. */
    static boolean isNotFound(SdkException e) {
        String code = code(e);
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return code.equals("ResourceNotFound") || code.equals("ResourceNotFoundException")
                || (code.equals("ValidationException")
                && (message.contains("does not exist") || message.contains("not found")));
    }

    static boolean isConflict(SdkException e) {
        return code(e).equals("ConflictException");
    }

    /** Classifies a failed call of {@code operation} ({@code CreateModelPackage}). */
    ConnectorException classify(String operation, SdkException e) {
        String code = code(e);
        String what = "SageMaker." + operation + " failed: ";
        if (e instanceof SdkClientException) {
            return ConnectorException.transientFailure(connection, what + scrub(String.valueOf(e.getMessage())), e);
        }
        AwsServiceException service = (AwsServiceException) e;
        String detail = code + ": " + scrub(service.awsErrorDetails() == null ? String.valueOf(e.getMessage())
                : String.valueOf(service.awsErrorDetails().errorMessage()));
        int status = service.statusCode();
        ErrorKind kind;
        if (THROTTLING.contains(code) || status == 429 || status >= 500 || code.equals("ConflictException")) {
            kind = ErrorKind.TRANSIENT;
        } else if (status >= 400 || !code.isEmpty()) {
            kind = ErrorKind.CONFIGURATION;
        } else {
            kind = ErrorKind.SYSTEM;
        }
        Duration retryAfter = kind == ErrorKind.TRANSIENT ? retryAfter(service).orElse(null) : null;
        return new ConnectorException(kind, connection, what + detail + " (HTTP " + status + ")", retryAfter, null);
    }

    /**
     * The {@code Retry-After} of a throttled answer, in delta-seconds (what AWS endpoints and the proxies in front of
     * them send; an HTTP date is ignored, and the hub's own backoff applies).
     */
    static Optional<Duration> retryAfter(AwsServiceException e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) {
            return Optional.empty();
        }
        return e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").map(String::trim)
                .filter(value -> value.matches("\\d{1,9}")).map(value -> Duration.ofSeconds(Long.parseLong(value)));
    }

    /** A message of ours that may quote service text. */
    String scrub(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }
}
