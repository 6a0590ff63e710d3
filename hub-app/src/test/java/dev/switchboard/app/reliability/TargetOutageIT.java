package dev.switchboard.app.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.switchboard.app.HubRunner;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.webhook.StandardWebhooks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 4, target outage: one route sends every event to two connections, {@code flaky} (the outbound
 * {@code webhook} connector, pointed at WireMock) and {@code steady} (a scripted target). {@code flaky} then fails
 * for a while with a mix of 503s, connection resets, stalls beyond the connector's timeout and 429 with
 * {@code Retry-After: 1}, and recovers.
 *
 * <p>Shown: the breaker of {@code flaky} opens (visible in the actuator's metrics); webhook ingress stays fast while
 * the target is down (p95 latency during the outage against a healthy baseline of the same run, with a generous
 * bound because the machine is shared); {@code steady} receives the events sent during the outage while
 * {@code flaky} is still down; after recovery every delivery to {@code flaky} completes, each event's key reaching
 * it, none dead-lettered; and no secret or token appears in the output or in any API response fetched.
 */
@ExtendWith(OutputCaptureExtension.class)
class TargetOutageIT {

    private static final String TOKEN = "target-outage-admin-token-4e1b7d";
    private static final String INBOUND_SECRET = secret("outage-inbound-signing-key-32byt");
    private static final String OUTBOUND_SECRET = secret("outage-outbound-signing-key-32by");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int BASELINE = 40;
    private static final int DURING_OUTAGE = 60;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> apiResponses = Collections.synchronizedList(new ArrayList<>());
    private WireMockServer wireMock;
    private final List<StubMapping> flakyStubs = new ArrayList<>();
    private ConfigurableApplicationContext hub;
    private String base;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (wireMock != null) {
            wireMock.stop();
        }
        ScriptedActionConnector.reset();
    }

    @Test
    void deliveriesCompleteAfterAnOutageWhileIngressStaysFastAndOtherConnectionsKeepFlowing(CapturedOutput output)
            throws Exception {
        long began = System.nanoTime();
        ScriptedActionConnector.reset();
        wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20));
        wireMock.start();
        healthy();
        startHub();

        // Healthy baseline: both targets up.
        List<Long> baseline = new ArrayList<>();
        for (int i = 0; i < BASELINE; i++) {
            baseline.add(sendTimed("b" + i));
        }
        Set<String> baselineIds = ids("b", BASELINE);
        awaitTrue("baseline delivered to both targets", () -> flakyDelivered().containsAll(baselineIds)
                && steadyDelivered().containsAll(baselineIds));

        // Outage: flaky fails in four ways, in turn; webhooks keep coming.
        outage();
        List<Long> duringOutage = new ArrayList<>();
        boolean breakerSeenOpen = false;
        for (int i = 0; i < DURING_OUTAGE; i++) {
            duringOutage.add(sendTimed("o" + i));
            breakerSeenOpen |= i % 10 == 9 && breakerOpen();
            Thread.sleep(100);
        }
        Set<String> outageIds = ids("o", DURING_OUTAGE);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!breakerSeenOpen && System.nanoTime() < deadline) {
            breakerSeenOpen = breakerOpen();
            Thread.sleep(200);
        }
        assertThat(breakerSeenOpen).as("breaker of flaky open in /actuator/metrics").isTrue();
        awaitTrue("steady receives the outage's events while flaky is down",
                () -> steadyDelivered().containsAll(outageIds));
        assertThat(flakyDelivered()).as("flaky still down when steady has them all")
                .doesNotContainAnyElementsOf(outageIds);
        assertThat(counter("switchboard.deliveries", "connection:flaky", "outcome:breaker_open")).isPositive();

        // Recovery: every delivery to flaky completes, none dead-lettered.
        healthy();
        awaitTrue(() -> "every event delivered to flaky after recovery; still to go: " + undelivered("flaky"),
                () -> flakyDelivered().containsAll(outageIds) && flakyDelivered().containsAll(baselineIds));
        awaitTrue("outbox drained", () -> gauge("switchboard.outbox.depth", "status:pending")
                + gauge("switchboard.outbox.depth", "status:in_flight") == 0);
        int events = BASELINE + DURING_OUTAGE;
        List<ServeEvent> served = wireMock.getAllServeEvents();
        Set<String> flakyKeys = served.stream().filter(TargetOutageIT::answered2xx)
                .map(e -> e.getRequest().getHeader("webhook-id")).collect(Collectors.toSet());
        assertThat(flakyKeys).as("one idempotency key per event reached flaky").hasSize(events);
        assertThat(countDeliveries("flaky", "DELIVERED")).isEqualTo(events);
        assertThat(countDeliveries("steady", "DELIVERED")).isEqualTo(events);
        assertThat(countDeliveries(null, "DEAD")).isZero();
        assertThat(getApi("/api/v1/dead-letters?size=10").path("items")).isEmpty();
        Set<Integer> faultStatuses = served.stream().map(e -> e.getResponse().getStatus()).collect(Collectors.toSet());
        assertThat(faultStatuses).as("the outage really answered 503 and 429").contains(503, 429);
        assertThat(counter("switchboard.delivery.attempts", "connection:flaky", "result:transient")).isPositive();

        // Ingress stayed fast: generous bound, the machine is shared.
        long baselineP95 = p95(baseline);
        long outageP95 = p95(duringOutage);
        assertThat(outageP95).as("ingress p95 during outage (ms) vs baseline p95 %d ms", baselineP95)
                .isLessThan(Math.max(1_000, 5 * baselineP95));

        // No secrets anywhere we looked.
        assertThat(output.getAll()).isNotEmpty().doesNotContain(INBOUND_SECRET.substring(6))
                .doesNotContain(OUTBOUND_SECRET.substring(6)).doesNotContain(TOKEN);
        assertThat(apiResponses).isNotEmpty().allSatisfy(body -> assertThat(body)
                .doesNotContain(INBOUND_SECRET.substring(6)).doesNotContain(OUTBOUND_SECRET.substring(6))
                .doesNotContain(TOKEN));

        System.out.printf("TargetOutageIT: ingress p95 healthy %d ms, during outage %d ms; %d requests to flaky "
                        + "(%d ok), %.1f s%n", baselineP95, outageP95, served.size(), flakyKeys.size(),
                (System.nanoTime() - began) / 1e9);
    }

    private void startHub() throws IOException {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        // Fan-out is one route per target: a route's steps run in order, so steady, as a later step of flaky's
        // route, would wait for flaky; two routes reading the same events do not wait for each other.
        Files.writeString(routes.resolve("fan-out.camel.yaml"), """
                - route:
                    id: to-flaky
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - to: switchboard:flaky/send-event
                - route:
                    id: to-steady
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - to: switchboard:steady/run
                """);
        hub = HubRunner.start(directory, """
                switchboard:
                  api:
                    token: %s
                  routes:
                    directory: %s
                  delivery:
                    poll-interval: 100ms
                    base-backoff: 50ms
                    max-backoff: 1s
                    max-attempts: 100
                    workers: 4
                    lease: 10s
                  connections:
                    registry:
                      type: std-webhook-test
                      options:
                        secret: %s
                    flaky:
                      type: webhook
                      options:
                        url: http://127.0.0.1:%d/flaky
                        secret: %s
                        timeout: 1s
                    steady:
                      type: scripted
                """.formatted(TOKEN, routes, INBOUND_SECRET, wireMock.port(), OUTBOUND_SECRET), null);
        base = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();
    }

    /*
     * Switching flaky between healthy and down never leaves it without a stub: WireMock answers a request no stub
     * matches with 404, which the hub rightly takes for a configuration error and dead-letters. The new stubs are
     * added first (the newest matching stub wins), the old ones removed after.
     */
    private void healthy() {
        List<StubMapping> old = List.copyOf(flakyStubs);
        flakyStubs.clear();
        flakyStubs.add(wireMock.stubFor(post(urlPathEqualTo("/flaky")).willReturn(aResponse().withStatus(204))));
        old.forEach(wireMock::removeStubMapping);
    }

    /** Each request to flaky gets the next fault: 503, connection reset, a stall past the timeout, 429. */
    private void outage() {
        List<StubMapping> old = List.copyOf(flakyStubs);
        flakyStubs.clear();
        wireMock.resetScenarios();
        String scenario = "outage";
        // The first state last: until it is there, requests still get the healthy answer, and once it is, every
        // state the scenario can reach has its stub.
        flakyStubs.add(wireMock.stubFor(post(urlPathEqualTo("/flaky")).inScenario(scenario).whenScenarioStateIs("reset")
                .willReturn(aResponse().withStatus(503).withFault(Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("stall")));
        flakyStubs.add(wireMock.stubFor(post(urlPathEqualTo("/flaky")).inScenario(scenario).whenScenarioStateIs("stall")
                .willReturn(aResponse().withStatus(503).withFixedDelay(2_500)).willSetStateTo("limited")));
        flakyStubs.add(wireMock.stubFor(post(urlPathEqualTo("/flaky")).inScenario(scenario)
                .whenScenarioStateIs("limited").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo(Scenario.STARTED)));
        flakyStubs.add(wireMock.stubFor(post(urlPathEqualTo("/flaky")).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503))
                .willSetStateTo("reset")));
        old.forEach(wireMock::removeStubMapping);
    }

    /** Event ids (the inbound webhook ids) that flaky answered 2xx for (a reset is journalled with a status too). */
    private Set<String> flakyDelivered() {
        Set<String> ids = new HashSet<>();
        for (ServeEvent event : wireMock.getAllServeEvents()) {
            if (answered2xx(event)) {
                ids.add(JSON.readTree(event.getRequest().getBodyAsString()).path("id").asString());
            }
        }
        return ids;
    }

    private static boolean answered2xx(ServeEvent event) {
        return event.getResponse().getStatus() / 100 == 2 && event.getResponseDefinition().getFault() == null;
    }

    private static Set<String> steadyDelivered() {
        return ScriptedActionConnector.script("steady").calls().stream().map(call -> call.request().event().id())
                .collect(Collectors.toSet());
    }

    private boolean breakerOpen() throws Exception {
        return gauge("resilience4j.circuitbreaker.state", "name:flaky&tag=state:open") == 1.0;
    }

    private long sendTimed(String n) throws Exception {
        String id = "msg_outage_" + n;
        byte[] body = ("{\"type\":\"model_version.alias_set\",\"model\":\"m" + n + "\",\"version\":\"1\","
                + "\"alias\":\"champion\"}").getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        long started = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/webhooks/registry"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                .header("webhook-signature", new StandardWebhooks(INBOUND_SECRET).sign(id, now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - started) / 1_000_000;
        apiResponses.add(response.body());
        assertThat(response.statusCode()).as("webhook %s: %s", id, response.body()).isEqualTo(202);
        return millis;
    }

    private static Set<String> ids(String prefix, int count) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add("msg_outage_" + prefix + i);
        }
        return ids;
    }

    private static long p95(List<Long> samples) {
        List<Long> sorted = samples.stream().sorted().toList();
        return sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
    }

    private double gauge(String name, String tags) throws Exception {
        return getApi("/actuator/metrics/" + name + "?tag=" + tags).path("measurements").get(0).path("value")
                .asDouble();
    }

    private double counter(String name, String... tags) throws Exception {
        return gauge(name, String.join("&tag=", tags));
    }

    private long countDeliveries(String connection, String status) throws Exception {
        long count = 0;
        String page = null;
        for (int guard = 0; guard < 50; guard++) {
            JsonNode answer = getApi("/api/v1/deliveries?status=" + status + "&size=100"
                    + (connection == null ? "" : "&connection=" + connection)
                    + (page == null ? "" : "&pageToken=" + page));
            count += answer.path("items").size();
            page = answer.path("nextPageToken").isString() ? answer.path("nextPageToken").asString() : null;
            if (page == null) {
                return count;
            }
        }
        throw new AssertionError("too many pages of deliveries");
    }

    private JsonNode getApi(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        apiResponses.add(response.body());
        return JSON.readTree(response.body());
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        awaitTrue(() -> what, check);
    }

    /** Like {@link #awaitTrue(String, Check)}, with a description made on failure (it may show the state then). */
    private static void awaitTrue(Describer what, Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within " + WAIT + ": " + what.describe());
    }

    /**
     * A connection's deliveries that are not delivered yet, the state of its breaker and the hub's threads, for a
     * failure message.
     */
    private String undelivered(String connection) throws Exception {
        StringBuilder state = new StringBuilder("breaker");
        for (String breaker : List.of("closed", "open", "half_open")) {
            if (gauge("resilience4j.circuitbreaker.state", "name:" + connection + "&tag=state:" + breaker) == 1.0) {
                state.append(' ').append(breaker);
            }
        }
        for (String status : List.of("PENDING", "IN_FLIGHT")) {
            for (JsonNode delivery : getApi("/api/v1/deliveries?status=" + status + "&size=100&connection="
                    + connection).path("items")) {
                state.append("\n  ").append(delivery.path("id")).append(' ').append(status).append(" attempts ")
                        .append(delivery.path("attempts")).append(" due ").append(delivery.path("nextAttemptAt"))
                        .append(": ").append(delivery.path("lastError"));
            }
        }
        // Busy threads of the hub show whether a worker hangs in a call or the poller waits on the store.
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            boolean idle = Arrays.stream(stack).anyMatch(frame -> frame.getMethodName().equals("getTask"));
            if (thread.getName().startsWith("switchboard-") && !idle) {
                state.append("\n  thread ").append(thread.getName()).append(' ').append(thread.getState());
                Arrays.stream(stack).limit(14).forEach(frame -> state.append("\n    at ").append(frame));
            }
        });
        return state.toString();
    }

    @FunctionalInterface
    private interface Describer {
        String describe() throws Exception;
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static String secret(String key) {
        return "whsec_" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }
}
