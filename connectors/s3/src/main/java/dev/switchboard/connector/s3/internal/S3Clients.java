package dev.switchboard.connector.s3.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the SDK's sync S3 client on the JDK's URLConnection transport. */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * Flexible checksums are sent and checked only where S3 requires them, because S3-compatible servers differ
     * in which they support; the connector checks SHA-256 itself, and sets {@code x-amz-checksum-sha256} only on
     * the single PUT whose digest it knows in advance.
     */
    public static S3Client create(Optional<String> region, Optional<String> accessKeyId,
                                  Optional<String> secretAccessKey, Optional<String> sessionToken,
                                  Optional<URI> endpointOverride, boolean pathStyle, int maxAttempts, Duration timeout) {
        AwsCredentialsProvider credentials = accessKeyId.<AwsCredentialsProvider>map(id -> StaticCredentialsProvider
                .create(sessionToken.<AwsCredentials>map(token -> AwsSessionCredentials.create(id,
                                secretAccessKey.orElseThrow(), token))
                        .orElseGet(() -> AwsBasicCredentials.create(id, secretAccessKey.orElseThrow()))))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        var builder = S3Client.builder()
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .overrideConfiguration(o -> o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build()));
        region.map(Region::of).ifPresent(builder::region);
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
