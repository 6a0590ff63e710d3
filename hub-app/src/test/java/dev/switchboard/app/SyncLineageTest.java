package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conformance.fakes.openlineage.FakeOpenLineage;
import dev.switchboard.core.delivery.Delivery;
import dev.switchboard.core.delivery.Outbox;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A sync run reported as an OpenLineage run through the outbox, to a fake OpenLineage endpoint that validates every
 * event against the published JSON schema: START, then COMPLETE with the source versions and their copies as
 * datasets; an outage of the endpoint delays the events, and loses none.
 */
class SyncLineageTest {

    @TempDir
    Path directory;

    @Test
    void anAppliedSyncRunSendsAValidStartAndCompleteWithItsModelVersionsRetriedThroughAnOutage() throws Exception {
        InMemoryRegistryConnector.reset();
        InMemoryRegistry source = InMemoryRegistryConnector.registry("registry-a");
        SyncApiTest.addVersion(source, "churn", 1);
        SyncApiTest.addVersion(source, "churn", 2);
        try (FakeOpenLineage backend = new FakeOpenLineage();
             ConfigurableApplicationContext hub = HubRunner.start(directory, """
                     switchboard:
                       api:
                         token: lineage-test-token
                       delivery:
                         base-backoff: 50ms
                       lineage:
                         connection: lineage
                       connections:
                         registry-a:
                           type: in-memory-registry
                         registry-b:
                           type: in-memory-registry
                         lineage:
                           type: openlineage
                           options:
                             url: %s
                             namespace: ml-platform
                       sync-jobs:
                         a-to-b:
                           source: registry-a
                           target: registry-b
                     """.formatted(backend.url()), null)) {
            backend.failNext(1, 503); // the START's first attempt finds the endpoint down

            SyncReport report = hub.getBean(SyncService.class).apply("a-to-b");

            assertThat(report.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
            await().atMost(Duration.ofSeconds(20)).until(() -> backend.events().size() == 2);
            assertThat(backend.refusals()).as("every event valid against the OpenLineage schema").isEmpty();
            JsonNode start = backend.events().get(0);
            JsonNode complete = backend.events().get(1);
            assertThat(List.of(start.path("eventType").asString(), complete.path("eventType").asString()))
                    .containsExactly("START", "COMPLETE");
            assertThat(complete.path("run").path("runId").asString()).isEqualTo(start.path("run").path("runId").asString());
            assertThat(complete.path("job").path("name").asString()).isEqualTo("sync/a-to-b");
            assertThat(complete.path("job").path("namespace").asString()).isEqualTo("ml-platform");
            assertThat(Instant.parse(complete.path("eventTime").asString()))
                    .isAfterOrEqualTo(Instant.parse(start.path("eventTime").asString()));
            assertThat(complete.path("inputs").findValuesAsString("namespace")).hasSize(2)
                    .containsOnly("switchboard://registry-a");
            assertThat(complete.path("outputs").findValuesAsString("namespace")).hasSize(2)
                    .containsOnly("switchboard://registry-b");

            List<Delivery> deliveries = hub.getBean(Outbox.class).list("lineage", Delivery.Status.DELIVERED, null, 10);
            assertThat(deliveries).extracting(Delivery::attempts).as("the START retried after the outage")
                    .containsExactlyInAnyOrder(2, 1);
        }
    }
}
