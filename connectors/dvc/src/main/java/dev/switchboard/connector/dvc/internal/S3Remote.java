package dev.switchboard.connector.dvc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@code s3://bucket/prefix} remote through the AWS SDK v2 (on the JDK's URLConnection). Credentials, endpoint and
 * addressing come from the connection's options only, never from the repository.
 */
public final class S3Remote implements RemoteStorage {

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final String url;

    /**
     * @param url        the remote's {@code s3://bucket/prefix}
     * @param endpoint   an S3-compatible server, or {@code null} for AWS
     * @param accessKey  with {@code secretKey}, static credentials; {@code null} for the SDK's default chain
     */
    public S3Remote(URI url, String region, URI endpoint, boolean pathStyle, String accessKey, String secretKey,
                    Duration timeout) {
        this.url = url.toString();
        this.bucket = url.getHost();
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("^/+|/+$", "");
        this.prefix = path.isEmpty() ? "" : path + "/";
        AwsCredentialsProvider credentials = accessKey == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        var builder = S3Client.builder().region(Region.of(region)).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout).build())
                .forcePathStyle(pathStyle);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        this.client = builder.build();
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(client.headObject(b -> b.bucket(bucket).key(prefix + key)).contentLength());
        } catch (NoSuchKeyException e) {
            return OptionalLong.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw failure("HEAD", key, e);
        } catch (SdkClientException e) {
            throw new IOException("HEAD " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return client.getObject(b -> b.bucket(bucket).key(prefix + key));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(key);
            }
            throw failure("GET", key, e);
        } catch (SdkClientException e) {
            throw new IOException("GET " + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, Path file, long size) throws IOException {
        try {
            client.putObject(b -> b.bucket(bucket).key(prefix + key).contentLength(size), RequestBody.fromFile(file));
        } catch (S3Exception e) {
            throw failure("PUT", key, e);
        } catch (SdkClientException e) {
            throw new IOException("PUT " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** S3's error code and status, never a header or credential. */
    private static RemoteFailure failure(String operation, String key, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return new RemoteFailure(operation + " " + key + " failed with HTTP " + e.statusCode()
                + (code == null ? "" : " " + code), e.statusCode());
    }

    @Override
    public void close() {
        client.close();
    }
}
