package dev.switchboard.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ConnectionTest {

    @Test
    void opensWithoutBuildingTheSdkClientWhenTheRegionIsSetAndBuildsItOnFirstUse() {
        try (S3Connection connection = new S3Connection(settings(Map.of(S3Options.REGION, "eu-west-1")))) {
            assertThat(connection.clientBuilt()).isFalse();

            // Nothing listens on port 1: the call fails, but only after the client was built for it.
            assertThatThrownBy(() -> connection.artifactStore().orElseThrow()
                    .stat(URI.create("s3://bucket/models/model.pkl"))).isInstanceOf(ConnectorException.class);
            assertThat(connection.clientBuilt()).isTrue();
        }
    }

    @Test
    void withoutAConfiguredRegionTheClientIsBuiltWhenTheConnectionOpens() {
        String before = System.getProperty("aws.region");
        System.setProperty("aws.region", "eu-west-1"); // the SDK's region chain finds this first
        try (S3Connection connection = new S3Connection(settings(Map.of()))) {
            assertThat(connection.clientBuilt()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty("aws.region");
            } else {
                System.setProperty("aws.region", before);
            }
        }
    }

    private static S3Options.Settings settings(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(Map.of(S3Options.BUCKET_PREFIX, "s3://bucket/models",
                S3Options.ENDPOINT_OVERRIDE, "http://127.0.0.1:1", S3Options.PATH_STYLE, "true",
                S3Options.ACCESS_KEY_ID, "AKIDEXAMPLE", S3Options.SECRET_ACCESS_KEY, "secret", S3Options.MAX_ATTEMPTS, "1"));
        options.putAll(extra);
        return S3Options.Settings.of(new ConnectionConfig("s3-test", S3Connector.TYPE, options));
    }
}
