package dev.switchboard.connector.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SageMakerConnectionTest {

    @Test
    void opensWithoutBuildingTheSdkClientWhenTheRegionIsSetAndBuildsItOnFirstUse() {
        SageMakerOptions.Settings settings = SageMakerOptions.Settings.of(new ConnectionConfig("sagemaker-test",
                SageMakerConnector.TYPE, Map.of(SageMakerOptions.REGION, "eu-west-1",
                SageMakerOptions.ENDPOINT_OVERRIDE, "http://127.0.0.1:1", SageMakerOptions.ACCESS_KEY_ID,
                "AKIDEXAMPLE", SageMakerOptions.SECRET_ACCESS_KEY, "secret", SageMakerOptions.MAX_ATTEMPTS, "1")));
        try (SageMakerConnection connection = new SageMakerConnection(settings,
                new ConnectorContext(Clock.systemUTC(), ArtifactResolver.NONE))) {
            assertThat(connection.clientBuilt()).isFalse();

            // Nothing listens on port 1: the call fails, but only after the client was built for it.
            assertThatThrownBy(() -> connection.modelRegistry().orElseThrow().getModel("churn"))
                    .isInstanceOf(ConnectorException.class);
            assertThat(connection.clientBuilt()).isTrue();
        }
    }
}
