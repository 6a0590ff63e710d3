package dev.switchboard.connector.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

    /**
     * The first check builds the SDK client, seconds on a cold JVM: that time is measured apart (here a ticker the
     * factory moves), SageMaker gets the rest, and the message says where the time went instead of blaming SageMaker.
     */
    @Test
    void theFirstCheckDoesNotBlameSageMakerForTheTimeSpentBuildingTheClient() throws IOException {
        AtomicInteger listed = new AtomicInteger();
        HttpServer sagemaker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sagemaker.createContext("/", exchange -> {
            listed.incrementAndGet();
            byte[] body = "{\"ModelPackageGroupSummaryList\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sagemaker.start();
        try {
            assertThat(check(sagemaker, 3_000)).satisfies(first -> {
                assertThat(first.ok()).isTrue();
                assertThat(first.message()).contains("SageMaker Model Registry answered")
                        .endsWith("(after 3000 ms building the SDK client, the hub's own start-up)");
            });
            int before = listed.get();
            assertThat(check(sagemaker, 12_000)).satisfies(slow -> {
                assertThat(slow.ok()).isFalse();
                assertThat(slow.message()).isEqualTo("building the SageMaker SDK client took 12000 ms, the whole "
                        + "check's 10000 ms, so SageMaker was not asked yet; the client is built now: check again");
                assertThat(slow.message()).doesNotContain("did not answer");
            });
            assertThat(listed.get()).as("SageMaker was not called by the check that had no time left").isEqualTo(before);
        } finally {
            sagemaker.stop(0);
        }
    }

    /** One check of a fresh connection whose client takes {@code buildMillis} (on its ticker) to build. */
    private static CheckResult check(HttpServer sagemaker, long buildMillis) {
        SageMakerOptions.Settings settings = SageMakerOptions.Settings.of(new ConnectionConfig("sagemaker-test",
                SageMakerConnector.TYPE, Map.of(SageMakerOptions.REGION, "eu-west-1",
                SageMakerOptions.ENDPOINT_OVERRIDE, "http://127.0.0.1:" + sagemaker.getAddress().getPort(),
                SageMakerOptions.ACCESS_KEY_ID, "AKIDEXAMPLE", SageMakerOptions.SECRET_ACCESS_KEY, "secret",
                SageMakerOptions.MAX_ATTEMPTS, "1")));
        AtomicLong ticker = new AtomicLong();
        try (SageMakerConnection connection = new SageMakerConnection(settings,
                new ConnectorContext(Clock.systemUTC(), ArtifactResolver.NONE), () -> {
                    ticker.addAndGet(Duration.ofMillis(buildMillis).toNanos());
                    return SageMakerConnection.sdkClient(settings);
                }, ticker::get)) {
            return connection.check(Duration.ofSeconds(10));
        }
    }
}
