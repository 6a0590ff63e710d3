package dev.switchboard.connector.s3;

import dev.switchboard.connector.s3.internal.S3Clients;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorException;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One open S3 connection: one SDK client, which is thread-safe, and the artifact store on it. The client is built
 * on first use when the region is configured: building it loads about a thousand SDK classes and takes most of a
 * second, which the hub's start-up need not wait for. Without a configured region it is built at once, so a region
 * the SDK cannot find is reported when the connection opens.
 */
final class S3Connection implements Connection {

    private final S3Options.Settings settings;
    private final S3Errors errors;
    private final S3ArtifactStore store;
    private S3Client client;

    S3Connection(S3Options.Settings settings) {
        this.settings = settings;
        this.errors = new S3Errors(settings.connection(), Stream.of(settings.accessKeyId(),
                settings.secretAccessKey(), settings.sessionToken()).flatMap(Optional::stream).toList());
        this.store = new S3ArtifactStore(settings, this::client, errors);
        if (settings.region().isEmpty()) {
            client();
        }
    }

    synchronized S3Client client() {
        if (client == null) {
            try {
                client = S3Clients.create(settings.region(), settings.accessKeyId(), settings.secretAccessKey(),
                        settings.sessionToken(), settings.endpointOverride(), settings.pathStyle(),
                        settings.maxAttempts(), settings.requestTimeout());
            } catch (SdkException e) {
                throw ConnectorException.configuration(settings.connection(), "cannot create the S3 client (is a "
                        + "region set, as the option region or AWS_REGION?): "
                        + errors.scrub(String.valueOf(e.getMessage())));
            }
        }
        return client;
    }

    /** Whether the SDK client has been built yet. */
    synchronized boolean clientBuilt() {
        return client != null;
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Lists one key under the prefix: proves the endpoint answers, the credentials sign and the bucket exists. */
    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.probe(name(), "S3", timeout, () -> {
            try {
                client().listObjectsV2(r -> r.bucket(settings.bucket()).prefix(settings.prefix()).maxKeys(1));
            } catch (SdkException e) {
                throw errors.classify("ListObjectsV2", "s3://" + settings.bucket() + "/" + settings.prefix(), e);
            }
        }, "S3 answered for " + settings);
    }

    @Override
    public Optional<ArtifactStore> artifactStore() {
        return Optional.of(store);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
