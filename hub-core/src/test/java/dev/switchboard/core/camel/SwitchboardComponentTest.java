package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.DirectActionDispatcher;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.IdempotencyKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The switchboard: component in a plain Camel context, with a YAML route file and the recording connector. */
class SwitchboardComponentTest {

    /** Long enough for a loaded CI machine; the waits end as soon as the state is reached. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final String ROUTE = """
            - route:
                id: promote-champion
                from:
                  uri: switchboard:events
                  parameters:
                    type: model_version.alias_set
                    source: mlflow-prod
                  steps:
                    - filter:
                        simple: "${body.data.alias} == 'champion'"
                        steps:
                          - to: switchboard:deploy/record?workflow=deploy.yml&ref=main
            - route:
                id: fail-always
                from:
                  uri: switchboard:events
                  parameters:
                    source: mlflow-broken
                  steps:
                    - to: switchboard:deploy/fail
            """;

    @TempDir
    Path directory;

    private DataSource dataSource;
    private Store store;
    private ConnectionRegistry connections;
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        RecordingConnector.reset();
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of("deploy", new HubConfig.ConnectionSpec("recording",
                Map.of("url", "http://127.0.0.1:1"))), directory, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("promote.camel.yaml"), ROUTE);
        Files.writeString(routes.resolve("notes.txt"), "not a route");

        camel = new DefaultCamelContext();
        camel.addComponent(SwitchboardComponent.SCHEME,
                new SwitchboardComponent(store, new DirectActionDispatcher(connections)));
        assertThat(RouteFiles.load(camel, routes)).extracting(p -> p.getFileName().toString())
                .containsExactly("promote.camel.yaml");
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        connections.close();
        TestDatabases.close(dataSource);
    }

    @Test
    void anAliasEventInTheInboxMakesTheRoutePerformTheAction() {
        StoredEvent stored = append(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion"));

        await().atMost(PATIENCE).until(() -> !RecordingConnector.calls("deploy").isEmpty());
        var request = RecordingConnector.calls("deploy").get(0);
        assertThat(request.action()).isEqualTo("record");
        assertThat(request.parameters()).containsEntry("workflow", "deploy.yml").containsEntry("ref", "main");
        assertThat(request.event()).isEqualTo(stored.event());
        assertThat(request.idempotencyKey()).hasSize(64);
        awaitOutcome(stored, "promote-champion", Outcome.DONE);
    }

    @Test
    void anEventTheFilterStopsIsRecordedAsFilteredByTheRoute() {
        StoredEvent stored = append(TestEvents.aliasSet("mlflow-prod", "d-2", "churn", "4", "challenger"));

        awaitOutcome(stored, "promote-champion", Outcome.FILTERED);
        assertThat(store.routeProgress().outcomes(stored.seq()).get(0).detail()).contains("promote-champion");
        assertThat(RecordingConnector.calls("deploy")).isEmpty();
    }

    @Test
    void aFailingActionIsRecordedWithItsReasonAndTheRouteGoesOn() {
        StoredEvent failing = append(TestEvents.aliasSet("mlflow-broken", "d-3", "churn", "5", "champion"));
        StoredEvent next = append(TestEvents.aliasSet("mlflow-prod", "d-4", "churn", "6", "champion"));

        awaitOutcome(failing, "fail-always", Outcome.FAILED);
        assertThat(store.routeProgress().outcomes(failing.seq()).get(0).detail()).contains("asked to fail");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(store.jdbc().queryForList(
                "SELECT reason FROM dead_letter WHERE stage = 'route' AND event_seq = ?", String.class, failing.seq()))
                .singleElement().asString().contains("route fail-always failed").contains("asked to fail"));
        awaitOutcome(next, "promote-champion", Outcome.DONE);
    }

    @Test
    void aStoredRowThatCannotBeDecodedBecomesARouteDeadLetterAndTheRouteGoesOn() {
        String farFuture = new EventCodec().toJsonString(TestEvents.aliasSet("mlflow-prod", "p-2", "churn", "9", "champion"))
                .replaceFirst("\"time\":\"[^\"]+\"", "\"time\":\"+1000000000-01-01T00:00:00Z\"");
        long badJson = poison("p-1", "{not json");
        long badTime = poison("p-2", farFuture);
        StoredEvent next = append(TestEvents.aliasSet("mlflow-prod", "d-9", "churn", "10", "champion"));

        awaitOutcome(next, "promote-champion", Outcome.DONE);
        // Executions of one route are not serialised across events: the poisoned ones may finish after "next".
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(store.routeProgress().outcomes(badJson))
                .singleElement().satisfies(entry -> {
                    assertThat(entry.outcome()).isEqualTo(Outcome.FAILED);
                    assertThat(entry.detail()).startsWith("the stored event cannot be decoded: EventFormatException")
                            .contains("not valid JSON");
                }));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(store.jdbc().queryForList(
                "SELECT reason FROM dead_letter WHERE stage = 'route' AND event_seq = ?", String.class, badTime))
                .singleElement().asString().contains("cannot be decoded").contains("+1000000000-01-01T00:00:00Z"));
        assertThat(store.routeProgress().outcomes(badJson)).extracting(RouteProgress.Entry::routeId)
                .as("only the route that wants mlflow-prod alias events").containsExactly("promote-champion");
        assertThat(store.inbox().readAfter(0, 10)).extracting(e -> e.event().id()).containsExactly("d-9");
        assertThat(store.inbox().entriesAfter(0, 10)).extracting(InboxEntry::seq)
                .containsExactly(badJson, badTime, next.seq());
    }

    /** Writes a row past the model's checks, as a damaged database or an older hub could have it. */
    private long poison(String id, String payload) {
        store.jdbc().update("INSERT INTO inbox_event (source, event_id, type, subject, event_time, received_at, payload) "
                + "VALUES ('/connections/mlflow-prod', ?, 'model_version.alias_set', 'models/churn/versions/9', "
                + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)", id, payload);
        long seq = store.jdbc().queryForObject("SELECT seq FROM inbox_event WHERE event_id = ?", Long.class, id);
        store.executions().createFor(seq); // what an append does in its transaction
        return seq;
    }

    @Test
    void eventsOfOtherTypesOrSourcesAreNotGivenToTheRoute() {
        StoredEvent otherSource = append(TestEvents.aliasSet("mlflow-dev", "d-5", "churn", "7", "champion"));
        StoredEvent wanted = append(TestEvents.aliasSet("mlflow-prod", "d-6", "churn", "8", "champion"));

        awaitOutcome(wanted, "promote-champion", Outcome.DONE);
        assertThat(store.routeProgress().outcomes(otherSource.seq())).isEmpty();
        assertThat(RecordingConnector.calls("deploy")).extracting(r -> r.event().id()).containsExactly("d-6");
    }

    @Test
    void anAppendThatCommitsAfterALaterOneIsRoutedOnceCommittedAndHoldsNothingBack() throws Exception {
        var early = TestEvents.aliasSet("mlflow-prod", "late-commit", "churn", "20", "champion");
        var later = TestEvents.aliasSet("mlflow-prod", "early-commit", "churn", "21", "champion");
        var inserted = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        // The first append draws its seq, then its transaction stays open while a second append commits.
        Thread slowWebhook = new Thread(() -> store.transactions().executeWithoutResult(status -> {
            store.inbox().append(List.of(early));
            inserted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        slowWebhook.start();
        assertThat(inserted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        StoredEvent second = append(later);

        awaitOutcome(second, "promote-champion", Outcome.DONE); // not held back by the open append before it
        assertThat(RecordingConnector.calls("deploy")).extracting(r -> r.event().id()).containsExactly("early-commit");
        release.countDown();
        slowWebhook.join();

        StoredEvent first = store.inbox().find(early.source(), early.id()).orElseThrow();
        assertThat(first.seq()).isLessThan(second.seq());
        awaitOutcome(first, "promote-champion", Outcome.DONE);
        assertThat(RecordingConnector.calls("deploy")).extracting(r -> r.event().id())
                .containsExactly("early-commit", "late-commit");
    }

    @Test
    void theSameEventAndStepAlwaysGetTheSameIdempotencyKey() {
        var event = TestEvents.aliasSet("mlflow-prod", "d-7", "churn", "9", "champion");
        String key = ActionProducer.idempotencyKey(event, "promote", "switchboard:deploy/record");

        assertThat(ActionProducer.idempotencyKey(event, "promote", "switchboard:deploy/record")).isEqualTo(key);
        assertThat(ActionProducer.idempotencyKey(event, "promote", "switchboard:deploy/other")).isNotEqualTo(key);
        assertThat(ActionProducer.idempotencyKey(TestEvents.aliasSet("mlflow-prod", "d-8", "churn", "9", "champion"),
                "promote", "switchboard:deploy/record")).isNotEqualTo(key);
        // The one key function, over the step's identity; a step that repeats the endpoint adds its occurrence.
        assertThat(key).isEqualTo(IdempotencyKey.of(event.source().toString(), "d-7", "promote",
                "switchboard:deploy/record"));
        assertThat(ActionProducer.idempotencyKey(event, "promote", "switchboard:deploy/record", 1)).isEqualTo(
                IdempotencyKey.of(event.source().toString(), "d-7", "promote", "switchboard:deploy/record", "1"));
    }

    @Test
    void aMalformedEndpointNamesTheExpectedForms() {
        assertThatThrownBy(() -> camel.getEndpoint("switchboard:deploy"))
                .hasStackTraceContaining("must be \"events\" or \"<connection>/<action>\"");
        assertThatThrownBy(() -> camel.getEndpoint("switchboard:events?type=model_version.teleported"))
                .hasStackTraceContaining("unknown event type \"model_version.teleported\"");
    }

    private StoredEvent append(dev.switchboard.model.CanonicalEvent event) {
        return store.inbox().append(List.of(event)).get(0);
    }

    private void awaitOutcome(StoredEvent stored, String routeId, Outcome outcome) {
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(store.routeProgress().outcomes(stored.seq()))
                        .extracting(RouteProgress.Entry::routeId, RouteProgress.Entry::outcome)
                        .contains(org.assertj.core.groups.Tuple.tuple(routeId, outcome)));
    }
}
