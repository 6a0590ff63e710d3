package dev.switchboard.connector.sagemaker.internal;

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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/** Builds the SDK's sync SageMaker client on the JDK's URLConnection transport. */
public final class SageMakerClients {

    private SageMakerClients() {
    }

    /**
     * @param accessKeyId empty for the SDK's default credential chain (environment, profile, container or
     *                    instance role)
     * @param region      empty for the SDK's default region chain
     */
    public static SageMakerClient create(Optional<String> region, Optional<String> accessKeyId,
                                         Optional<String> secretAccessKey, Optional<String> sessionToken,
                                         Optional<URI> endpointOverride, int maxAttempts, Duration timeout) {
        AwsCredentialsProvider credentials = accessKeyId.<AwsCredentialsProvider>map(id -> StaticCredentialsProvider
                .create(sessionToken.<AwsCredentials>map(token -> AwsSessionCredentials.create(id,
                                secretAccessKey.orElseThrow(), token))
                        .orElseGet(() -> AwsBasicCredentials.create(id, secretAccessKey.orElseThrow()))))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        var builder = SageMakerClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(timeout).retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build()));
        region.map(Region::of).ifPresent(builder::region);
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
