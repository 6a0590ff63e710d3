package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.app.cli.CliTest;
import dev.switchboard.client.ApiClient;
import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.EventsApi;
import dev.switchboard.client.api.HubApi;
import dev.switchboard.client.api.RoutesApi;
import dev.switchboard.client.api.SyncApi;
import dev.switchboard.client.model.EventOutcome;
import dev.switchboard.client.model.InjectResult;
import dev.switchboard.client.model.Route;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.core.type.TypeReference;

/**
 * Changes without a restart: a route file edited, added or removed while the hub runs takes effect within seconds
 * (file watch), keeping each route's place in the inbox; a broken file changes nothing and the reload says why; sync
 * jobs follow the configuration file; a route paused and resumed keeps its executions. Events are injected through
 * {@code POST /api/v1/events}, which routes them as a webhook's would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadFlowTest {

    private static final String TOKEN = "reload-flow-token";
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final EventCodec CODEC = new EventCodec();

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static ApiClient client;
    private static String url;
    private static Path routes;
    private static String config;

    @BeforeAll
    static void startHub() throws Exception {
        ScriptedActionConnector.reset();
        routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("deploy.camel.yaml"), deployRoute("old.yml"));
        Files.writeString(routes.resolve("audit.camel.yaml"), logRoute("audit"));
        config = """
                switchboard:
                  api:
                    token: %s
                  routes:
                    directory: %s
                    watch-interval: 100ms
                  delivery:
                    poll-interval: 100ms
                  connections:
                    registry:
                      type: in-memory-registry
                    mirror:
                      type: in-memory-registry
                    ci:
                      type: scripted
                """.formatted(TOKEN, routes);
        hub = HubRunner.start(directory, config, null);
        url = HubRunner.url(hub);
        client = HubRunner.client(hub, TOKEN);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    @Order(1)
    void anEditedRouteRunsWithinSecondsAndEventsAlreadyRoutedAreNotRunAgain() throws Exception {
        InjectResult first = inject("churn", "1");
        await().atMost(WITHIN).until(() -> outcome(first.getSeq(), "deploy").filter("DONE"::equals).isPresent());
        assertThat(first.getStored()).isTrue();
        assertThat(new EventsApi(client).getEvent(first.getSeq()).getSummary().getInjected()).isTrue();

        Files.writeString(routes.resolve("deploy.camel.yaml"), deployRoute("new.yml") + logRoute("extra"));
        await().atMost(WITHIN).until(() -> routeIds().contains("extra"));
        InjectResult second = inject("churn", "2");
        await().atMost(WITHIN).until(() -> outcome(second.getSeq(), "deploy").filter("DONE"::equals).isPresent());

        assertThat(calls("old.yml")).isEqualTo(1);
        assertThat(calls("new.yml")).isEqualTo(1);
        assertThat(outcome(first.getSeq(), "deploy")).hasValue("DONE");
        assertThat(outcome(first.getSeq(), "extra")).isEmpty();
        assertThat(outcome(second.getSeq(), "extra")).isPresent();
    }

    @Test
    @Order(2)
    void aRemovedRouteStopsAndGetsNoMoreEvents() throws Exception {
        Files.writeString(routes.resolve("deploy.camel.yaml"), deployRoute("new.yml"));
        await().atMost(WITHIN).until(() -> !routeIds().contains("extra"));

        InjectResult next = inject("churn", "3");
        await().atMost(WITHIN).until(() -> outcome(next.getSeq(), "deploy").filter("DONE"::equals).isPresent());

        assertThat(outcome(next.getSeq(), "extra")).isEmpty();
        assertThat(routeIds()).containsExactly("audit", "deploy");
    }

    @Test
    @Order(3)
    void aBrokenFileChangesNothingAndTheReloadListsEveryProblem() throws Exception {
        Files.writeString(routes.resolve("broken.camel.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: switchboard:events
                      parameters:
                        startAt: middle
                      steps:
                        - to: switchboard:nope/run
                """);
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new HubApi(client).reload());

        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getResponseHeaders().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.getResponseBody()).contains("\"problems\"").contains("nope").contains("middle");
        assertThat(routeIds()).containsExactly("audit", "deploy");
        Files.delete(routes.resolve("broken.camel.yaml"));
        assertThat(new HubApi(client).reload().getRoutesAdded()).isEmpty();
    }

    @Test
    @Order(4)
    void aPausedRouteKeepsItsExecutionsAndResumesWhereItStopped() throws Exception {
        var pause = CliTest.cli("routes", "pause", "deploy", "--url", url, "--token", TOKEN);
        assertThat(pause.code()).isZero();

        InjectResult waiting = inject("churn", "4");
        // The other route runs the event; the paused one leaves its execution PENDING.
        await().atMost(WITHIN).until(() -> outcome(waiting.getSeq(), "audit").filter("DONE"::equals).isPresent());
        assertThat(outcome(waiting.getSeq(), "deploy")).hasValue("PENDING");
        assertThat(route("deploy").getPaused()).isTrue();
        assertThat(route("deploy").getUnfinished()).isEqualTo(1L);
        var listed = CliTest.cli("routes", "--url", url, "--token", TOKEN);
        assertThat(listed.out()).containsPattern("deploy\\s+PAUSED");

        new RoutesApi(client).resumeRoute("deploy");
        await().atMost(WITHIN).until(() -> outcome(waiting.getSeq(), "deploy").filter("DONE"::equals).isPresent());

        assertThat(calls("new.yml")).isEqualTo(3);
        assertThat(route("deploy").getPaused()).isFalse();
        ApiException unknown = catchThrowableOfType(ApiException.class,
                () -> new RoutesApi(client).pauseRoute("no-such-route"));
        assertThat(unknown.getCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void syncJobsFollowTheConfigurationFile() throws Exception {
        assertThat(new SyncApi(client).listSyncJobs(null, null).getItems()).isEmpty();

        Files.writeString(directory.resolve("switchboard.yaml"), config + """
                  sync-jobs:
                    registry-to-mirror:
                      source: registry
                      target: mirror
                """);
        await().atMost(WITHIN).until(() -> new SyncApi(client).listSyncJobs(null, null).getItems().size() == 1);

        Files.writeString(directory.resolve("switchboard.yaml"), config + """
                  sync-jobs:
                    registry-to-mirror:
                      source: registry
                      target: nowhere
                """);
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new HubApi(client).reload());
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getResponseBody()).contains("sync-jobs.registry-to-mirror");
        assertThat(new SyncApi(client).listSyncJobs(null, null).getItems()).singleElement()
                .satisfies(job -> assertThat(job.getTarget()).isEqualTo("mirror"));
    }

    @Test
    @Order(6)
    void anInjectedEventIsValidatedLikeAWebhook() throws Exception {
        Map<String, Object> event = cloudEvent("churn", "9");
        event.put("source", "/connections/unknown");
        ApiException badSource = catchThrowableOfType(ApiException.class,
                () -> new EventsApi(client).injectEvent(event));
        Map<String, Object> noType = cloudEvent("churn", "9");
        noType.remove("type");
        ApiException badType = catchThrowableOfType(ApiException.class,
                () -> new EventsApi(client).injectEvent(noType));
        Map<String, Object> twice = cloudEvent("churn", "10");
        InjectResult stored = new EventsApi(client).injectEvent(twice);
        InjectResult again = new EventsApi(client).injectEvent(twice);

        assertThat(badSource.getCode()).isEqualTo(400);
        assertThat(badSource.getResponseBody()).contains("/connections/unknown");
        assertThat(badType.getCode()).isEqualTo(400);
        assertThat(badType.getResponseBody()).contains("type");
        assertThat(stored.getStored()).isTrue();
        assertThat(again.getStored()).isFalse();
    }

    private static String deployRoute(String workflow) {
        return """
                - route:
                    id: deploy
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - to: switchboard:ci/run?workflow=%s
                """.formatted(workflow);
    }

    private static String logRoute(String id) {
        return """
                - route:
                    id: %s
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - log: "seen ${header.SwitchboardEventId}"
                """.formatted(id);
    }

    private static Map<String, Object> cloudEvent(String model, String version) {
        String json = CODEC.toJsonString(TestEvents.aliasSet("registry", UUID.randomUUID().toString(), model, version,
                "champion"));
        return CODEC.jsonMapper().readValue(json, new TypeReference<Map<String, Object>>() { });
    }

    private static InjectResult inject(String model, String version) throws ApiException {
        return new EventsApi(client).injectEvent(cloudEvent(model, version));
    }

    private static Optional<String> outcome(long seq, String routeId) throws ApiException {
        return new EventsApi(client).getEvent(seq).getSummary().getOutcomes().stream()
                .filter(outcome -> outcome.getRouteId().equals(routeId)).map(EventOutcome::getOutcome)
                .map(Object::toString).findFirst();
    }

    private static List<String> routeIds() throws ApiException {
        return new RoutesApi(client).listRoutes(null, null).getItems().stream().map(Route::getId).toList();
    }

    private static Route route(String id) throws ApiException {
        return new RoutesApi(client).listRoutes(null, null).getItems().stream()
                .filter(route -> route.getId().equals(id)).findFirst().orElseThrow();
    }

    private static long calls(String workflow) {
        return ScriptedActionConnector.script("ci").calls().stream()
                .filter(call -> workflow.equals(call.request().parameters().get("workflow"))).count();
    }
}
