package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.core.poll.PollScheduler;
import dev.switchboard.core.store.EventQuery;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ActionTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * MLflow 2.x has no webhooks: the running hub, with an MLflow connection and no webhook secret, learns of a change
 * on the server by polling alone, stores it in the inbox and runs the route that subscribes to it.
 */
class PollingFlowTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    @TempDir
    Path directory;

    private ConfigurableApplicationContext hub;

    @AfterEach
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void aNewVersionOnAnMlflow2ServerReachesTheInboxAndARouteByPollingAlone() throws Exception {
        MLFLOW.asMlflow2();
        RecordingConnector.reset();
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("on-new-version.camel.yaml"), """
                - route:
                    id: record-new-versions
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.created
                        source: mlflow-old
                      steps:
                        - to: switchboard:recorder/record
                """);
        hub = HubRunner.start(directory, """
                switchboard:
                  routes:
                    directory: %s
                  delivery:
                    poll-interval: 100ms
                  connections:
                    mlflow-old:
                      type: mlflow
                      options:
                        tracking-url: %s
                        poll-interval: 1s
                    recorder:
                      type: recording
                      options:
                        url: http://127.0.0.1:9
                """.formatted(routes, MLFLOW.baseUrl()), null);
        Store store = hub.getBean(Store.class);
        String cursor = PollScheduler.cursorName("mlflow-old");
        // The first poll starts "from now on"; a change made before it would count as already seen.
        await().atMost(Duration.ofSeconds(20)).until(() -> store.cursors().get(cursor).isPresent());

        String version = MLFLOW.createModelVersion("churn", "s3://models/churn/1");

        List<ActionTarget.Request> recorded = await().atMost(Duration.ofSeconds(30))
                .until(() -> RecordingConnector.calls("recorder"), calls -> !calls.isEmpty());
        assertThat(recorded).singleElement().satisfies(request -> {
            assertThat(request.event().type()).isEqualTo(EventType.MODEL_VERSION_CREATED);
            assertThat(request.event().subject()).isEqualTo("models/churn/versions/" + version);
        });
        List<StoredEvent> stored = store.inbox().search(new EventQuery(null, null, "mlflow-old", null, null, null), 10);
        assertThat(stored).singleElement().satisfies(event ->
                assertThat(event.event().id()).startsWith("poll:churn/" + version + "@"));
        assertThat(MLFLOW.sentWebhooks()).isEmpty();
        assertThat(store.leases().find(PollScheduler.leaseName("mlflow-old")).orElseThrow().holder())
                .isEqualTo(hub.getBean(dev.switchboard.core.store.InstanceId.class).holder());
    }
}
