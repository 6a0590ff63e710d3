package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.ApiClient;
import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.ConnectionsApi;
import dev.switchboard.client.api.EventsApi;
import dev.switchboard.client.api.RoutesApi;
import dev.switchboard.client.model.CheckResult;
import dev.switchboard.client.model.ConnectionPage;
import dev.switchboard.client.model.EventOutcome;
import dev.switchboard.client.model.EventPage;
import dev.switchboard.client.model.RoutePage;
import dev.switchboard.client.model.RouteValidation;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Every operation of switchboard-api.yaml, through the generated client, against the running hub. */
class ApiContractTest {

    private static final String TOKEN = "test-admin-token-7c1d";
    private static final Set<EventOutcome.OutcomeEnum> FINISHED = EnumSet.of(EventOutcome.OutcomeEnum.DONE,
            EventOutcome.OutcomeEnum.FILTERED, EventOutcome.OutcomeEnum.FAILED, EventOutcome.OutcomeEnum.DEAD);

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static ApiClient client;

    @BeforeAll
    static void startHub() throws Exception {
        RecordingConnector.reset();
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("promote.camel.yaml"), """
                - route:
                    id: promote-champion
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - filter:
                            simple: "${body.data.alias} == 'champion'"
                            steps:
                              - to: switchboard:deploy/record
                """);
        hub = HubRunner.start(directory, """
                switchboard:
                  api:
                    token: %s
                  routes:
                    directory: %s
                  connections:
                    deploy:
                      type: recording
                      options:
                        url: http://127.0.0.1:9/deploy
                    audit:
                      type: recording
                      options:
                        url: http://127.0.0.1:9/audit
                """.formatted(TOKEN, routes), null);
        client = clientWithToken(TOKEN);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static ApiClient clientWithToken(String token) {
        int port = ((WebServerApplicationContext) hub).getWebServer().getPort();
        ApiClient apiClient = new ApiClient();
        apiClient.updateBaseUri("http://127.0.0.1:" + port);
        if (token != null) {
            apiClient.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return apiClient;
    }

    @Test
    void listConnectionsPagesThroughEveryConnection() throws Exception {
        ConnectionPage first = new ConnectionsApi(client).listConnections(null, 1);
        ConnectionPage second = new ConnectionsApi(client).listConnections(first.getNextPageToken(), 1);

        assertThat(first.getItems()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("audit");
            assertThat(c.getType()).isEqualTo("recording");
            assertThat(c.getCapabilities()).extracting(Enum::name).containsExactly("ACTION_TARGET");
        });
        assertThat(second.getItems()).extracting(c -> c.getName()).containsExactly("deploy");
        assertThat(second.getNextPageToken()).isNull();
    }

    @Test
    void listConnectionsRejectsAForeignPageTokenAndABadSize() {
        assertProblem(() -> new ConnectionsApi(client).listConnections("not-a-token", null), 400, "pageToken");
        assertProblem(() -> new ConnectionsApi(client).listConnections(null, 0), 400, "size");
    }

    @Test
    void checkConnectionProbesTheToolOrSaysItIsUnknown() throws Exception {
        CheckResult result = new ConnectionsApi(client).checkConnection("deploy", 5);

        assertThat(result.getOk()).isTrue();
        assertThat(result.getConnection()).isEqualTo("deploy");
        assertProblem(() -> new ConnectionsApi(client).checkConnection("nope", null), 404, "no connection named nope");
    }

    @Test
    void listRoutesShowsTheLoadedRouteStarted() throws Exception {
        RoutePage routes = new RoutesApi(client).listRoutes(null, null);

        assertThat(routes.getItems()).singleElement().satisfies(route -> {
            assertThat(route.getId()).isEqualTo("promote-champion");
            assertThat(route.getStatus()).isEqualTo("Started");
            assertThat(route.getFrom()).startsWith("switchboard://events");
            assertThat(route.getSource()).contains("promote.camel.yaml");
        });
    }

    @Test
    void validateRoutesAcceptsAGoodFileAndListsEveryProblemOfABadOne() throws Exception {
        RouteValidation good = new RoutesApi(client).validateRoutes("""
                - route:
                    id: audit-all
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:audit/record
                """);
        RouteValidation bad = new RoutesApi(client).validateRoutes("""
                - route:
                    from:
                      uri: switchboard:events?type=model_version.teleported
                      steps:
                        - to: switchboard:nowhere/record
                        - to: switchboard:audit/explode
                """);
        RouteValidation unparsable = new RoutesApi(client)
                .validateRoutes("- route: {from: {uri: \"switchboard:events\", stepz: []}}");

        assertThat(good.getValid()).isTrue();
        assertThat(good.getRouteIds()).containsExactly("audit-all");
        assertThat(bad.getValid()).isFalse();
        assertThat(bad.getProblems()).hasSize(4).anySatisfy(p -> assertThat(p).contains("has no id"))
                .anySatisfy(p -> assertThat(p).contains("unknown event type \"model_version.teleported\""))
                .anySatisfy(p -> assertThat(p).contains("names connection nowhere, which is not configured"))
                .anySatisfy(p -> assertThat(p).contains("has no action explode; it offers: fail, record"));
        assertThat(unparsable.getValid()).isFalse();
        assertThat(unparsable.getProblems()).singleElement().asString().contains("does not parse");
    }

    @Test
    void searchEventsFiltersPagesAndShowsOutcomes() throws Exception {
        Store store = hub.getBean(Store.class);
        store.inbox().append(List.of(
                TestEvents.aliasSet("mlflow-prod", "e-1", "churn", "1", "champion"),
                TestEvents.aliasSet("mlflow-prod", "e-2", "churn", "2", "challenger"),
                TestEvents.aliasSet("mlflow-dev", "e-3", "fraud", "1", "champion")));
        EventsApi events = new EventsApi(client);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                events.searchEvents(null, null, "mlflow-prod", null, null, null, 10).getItems().stream()
                        .allMatch(e -> !e.getOutcomes().isEmpty() && e.getOutcomes().stream()
                                .allMatch(o -> FINISHED.contains(o.getOutcome()))));

        EventPage first = events.searchEvents("model_version.alias_set", "models/churn/*", null, null, null, null, 1);
        EventPage second = events.searchEvents("model_version.alias_set", "models/churn/*", null, null, null,
                first.getNextPageToken(), 1);

        assertThat(first.getItems()).extracting(e -> e.getId()).containsExactly("e-2");
        assertThat(first.getItems().get(0).getOutcomes()).extracting(EventOutcome::getOutcome)
                .containsExactly(EventOutcome.OutcomeEnum.FILTERED);
        assertThat(second.getItems()).extracting(e -> e.getId()).containsExactly("e-1");
        assertThat(second.getItems().get(0).getOutcomes()).extracting(EventOutcome::getOutcome)
                .containsExactly(EventOutcome.OutcomeEnum.DONE);
        assertThat(second.getNextPageToken()).isNull();
        assertThat(events.searchEvents(null, null, "mlflow-dev", null, null, null, null).getItems())
                .extracting(e -> e.getSubject()).containsExactly("models/fraud/versions/1");
        assertProblem(() -> events.searchEvents("model_version.teleported", null, null, null, null, null, null),
                400, "unknown event type");
    }

    @Test
    void getEventReturnsTheCloudEventOrNotFound() throws Exception {
        long seq = hub.getBean(Store.class).inbox()
                .append(List.of(TestEvents.aliasSet("mlflow-prod", "e-9", "lookup", "9", "none"))).get(0).seq();

        var detail = new EventsApi(client).getEvent(seq);

        assertThat(detail.getSummary().getId()).isEqualTo("e-9");
        assertThat(detail.getCloudEvent()).containsEntry("type", "dev.switchboard.model_version.alias_set")
                .containsEntry("specversion", "1.0");
        assertProblem(() -> new EventsApi(client).getEvent(999_999L), 404, "no event with seq 999999");
    }

    @Test
    void anEventThatCannotBeDecodedIsListedWithItsDecodeErrorAndThePageIsStill200() throws Exception {
        Store store = hub.getBean(Store.class);
        store.jdbc().update("INSERT INTO inbox_event (source, event_id, type, subject, event_time, received_at, payload) "
                + "VALUES ('/connections/poisoned', 'p-1', 'model_version.alias_set', 'models/poison/versions/1', "
                + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{\"specversion\":\"1.0\",\"time\":\"+1000000000-01-01T00:00:00Z\"')");
        store.inbox().append(List.of(TestEvents.aliasSet("poisoned", "p-2", "poison", "2", "champion")));
        EventsApi events = new EventsApi(client);

        EventPage page = events.searchEvents(null, null, "poisoned", null, null, null, 10);
        var detail = new EventsApi(client).getEvent(page.getItems().get(1).getSeq());

        assertThat(page.getItems()).extracting(e -> e.getId()).containsExactly("p-2", "p-1");
        assertThat(page.getItems().get(0).getDecodeError()).isNull();
        assertThat(page.getItems().get(1).getDecodeError()).startsWith("EventFormatException: document is not valid JSON");
        assertThat(page.getItems().get(1).getSubject()).isEqualTo("models/poison/versions/1");
        assertThat(detail.getSummary().getDecodeError()).isNotBlank();
        assertThat(detail.getCloudEvent()).isNullOrEmpty();
    }

    @Test
    void aSourceFilterWithASpaceOrAQuoteMatchesNothing() throws Exception {
        EventsApi events = new EventsApi(client);

        for (String source : List.of("mlflow prod", "mlflow\"prod", "mlflow'prod", "a/../b")) {
            assertThat(events.searchEvents(null, null, source, null, null, null, 10).getItems()).as(source).isEmpty();
        }
    }

    @Test
    void theDocumentAndTheInteractivePageAreServed() throws Exception {
        assertThat(HubRunner.get(hub, "/openapi/switchboard-api.yaml")).startsWith("200")
                .contains("openapi: 3.0.3").contains("operationId: replayDeadLetter");
        assertThat(HubRunner.get(hub, "/api-docs.html")).startsWith("200")
                .contains("/openapi/switchboard-api.yaml").contains("swagger-ui-bundle.js");
        assertThat(HubRunner.get(hub, "/webjars/swagger-ui/5.30.1/swagger-ui-bundle.js")).startsWith("200");
    }

    @Test
    void theAdminApiRefusesRequestsWithoutTheToken() {
        assertProblem(() -> new ConnectionsApi(clientWithToken(null)).listConnections(null, null), 401,
                "needs an Authorization: Bearer");
        ApiException wrong = catchThrowableOfType(ApiException.class,
                () -> new EventsApi(clientWithToken("guess")).searchEvents(null, null, null, null, null, null, null));
        assertThat(wrong.getCode()).isEqualTo(401);
        assertThat(wrong.getResponseBody()).doesNotContain("guess").doesNotContain(TOKEN);
    }

    private static void assertProblem(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status,
                                      String detail) {
        ApiException problem = catchThrowableOfType(ApiException.class, call);
        assertThat(problem).as("expected HTTP %s", status).isNotNull();
        assertThat(problem.getCode()).isEqualTo(status);
        assertThat(problem.getResponseHeaders().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(problem.getResponseBody()).contains(detail);
    }
}
