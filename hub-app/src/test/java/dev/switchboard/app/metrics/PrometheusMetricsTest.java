package dev.switchboard.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.app.HubRunner;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.webhook.StandardWebhooks;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Prometheus scrape endpoint, behind the admin token, answers the operator's questions with numbers that follow
 * what the hub does: a dead letter is counted until it is replayed, a target that keeps failing shows a growing
 * delivery lag, a rejected webhook is counted by reason, an applied sync counts its objects by outcome, and every
 * connection's breaker state is there before its first delivery.
 */
class PrometheusMetricsTest {

    private static final String TOKEN = "prometheus-metrics-token";
    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("prometheus-metrics-signing-key-1".getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static String base;

    @BeforeAll
    static void startHub() throws Exception {
        ScriptedActionConnector.reset();
        InMemoryRegistryConnector.reset();
        InMemoryRegistry source = InMemoryRegistryConnector.registry("registry-a");
        for (int n = 1; n <= 3; n++) {
            URI artifact = URI.create("mem://registry-a/churn/" + n + "/model.bin");
            source.putArtifact(artifact, ("weights " + n).getBytes(StandardCharsets.UTF_8));
            source.createVersion(new ModelVersion(ResourceRef.of(InMemoryRegistry.SYSTEM, "registry-a",
                    "model_version", "churn/new"), "churn", "new", "v" + n, null, ArtifactRef.of(artifact), Set.of(),
                    null, null, Map.of("n", String.valueOf(n)), null, null, null, null), "seed-churn-" + n);
        }
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("deploy.camel.yaml"), """
                - route:
                    id: deploy-on-alias
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                        source: registry
                      steps:
                        - to: switchboard:ci/run?workflow=deploy.yml
                """);
        hub = HubRunner.start(directory, """
                switchboard:
                  api:
                    token: %s
                  routes:
                    directory: %s
                  delivery:
                    base-backoff: 50ms
                    max-backoff: 200ms
                    max-attempts: 3
                    poll-interval: 100ms
                  connections:
                    registry:
                      type: std-webhook-test
                      options:
                        secret: %s
                    ci:
                      type: scripted
                    untouched:
                      type: scripted
                    registry-a:
                      type: in-memory-registry
                    registry-b:
                      type: in-memory-registry
                  sync-jobs:
                    a-to-b:
                      source: registry-a
                      target: registry-b
                """.formatted(TOKEN, routes, SECRET), null);
        base = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void theScrapeEndpointNeedsTheAdminToken() throws Exception {
        HttpResponse<String> without = get("/actuator/prometheus", null);
        HttpResponse<String> with = get("/actuator/prometheus", TOKEN);

        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(with.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain"));
        assertThat(value(with.body(), "resilience4j_circuitbreaker_state", "name=\"untouched\"", "state=\"closed\""))
                .as("a breaker is reported before its connection's first delivery").contains(1.0);
    }

    @Test
    void deadLettersAndDeliveryLagFollowTheTarget() throws Exception {
        ScriptedActionConnector.script("ci").failPermanently();
        assertThat(sendWebhook(aliasBody("churn", "1"), SECRET)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                scraped("switchboard_dead_letters_open", "connection=\"ci\"").orElse(0.0) == 1.0);
        assertThat(scraped("switchboard_delivery_lag_seconds", "connection=\"ci\"")).contains(0.0);

        // A target that takes its time: the delivery stays in flight, and the lag grows until it answers.
        ScriptedActionConnector.script("ci").succeed().hang();
        assertThat(sendWebhook(aliasBody("churn", "2"), SECRET)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                scraped("switchboard_delivery_lag_seconds", "connection=\"ci\"").orElse(0.0) >= 1.0);

        ScriptedActionConnector.script("ci").release();
        String replay = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/dead-letters/replay")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"connection\":\"ci\"}")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(replay).contains("REPLAYED");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                scraped("switchboard_dead_letters_open", "connection=\"ci\"").orElse(-1.0) == 0.0
                && scraped("switchboard_delivery_lag_seconds", "connection=\"ci\"").orElse(-1.0) == 0.0);
    }

    @Test
    void rejectedWebhooksAreCountedByReason() throws Exception {
        double before = scraped("switchboard_webhooks_total", "connection=\"registry\"", "outcome=\"rejected\"",
                "reason=\"bad_signature\"").orElse(0.0);
        String wrongSecret = "whsec_" + java.util.Base64.getEncoder()
                .encodeToString("another-signing-key-of-32-bytes!".getBytes(StandardCharsets.UTF_8));

        assertThat(sendWebhook(aliasBody("churn", "3"), wrongSecret)).isEqualTo(401);

        String body = get("/actuator/prometheus", TOKEN).body();
        Matcher reasons = Pattern.compile("switchboard_webhooks_total\\{[^}]*outcome=\"rejected\"[^}]*\\}").matcher(body);
        assertThat(reasons.find()).as(body).isTrue();
        assertThat(value(body, "switchboard_webhooks_total", "connection=\"registry\"", "outcome=\"rejected\"",
                "reason=\"bad_signature\"")).as(body).contains(before + 1);
    }

    @Test
    void webhookRequestsAreTimedUnderTheirPatternNotTheirConnectionName() throws Exception {
        sendWebhook(aliasBody("churn", "3"), SECRET);

        String body = get("/actuator/prometheus", TOKEN).body();
        assertThat(value(body, "http_server_requests_seconds_count", "uri=\"/webhooks/{connection}\"",
                "method=\"POST\"")).as(body).hasValueSatisfying(count -> assertThat(count).isPositive());
        assertThat(body).doesNotContain("uri=\"/webhooks/registry\"");
    }

    @Test
    void anAppliedSyncCountsItsObjectsByOutcome() throws Exception {
        HttpResponse<String> applied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/sync-jobs/a-to-b/apply?scope=full&wait=true")).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);

        assertThat(scraped("switchboard_sync_objects_total", "job=\"a-to-b\"", "outcome=\"created\"")).contains(3.0);
        assertThat(scraped("switchboard_sync_objects_total", "job=\"a-to-b\"", "outcome=\"failed\"")).contains(0.0);
    }

    private static Optional<Double> scraped(String name, String... labels) throws Exception {
        return value(get("/actuator/prometheus", TOKEN).body(), name, labels);
    }

    /** The sample of {@code name} whose labels include all of {@code labels}, from a Prometheus text exposition. */
    private static Optional<Double> value(String exposition, String name, String... labels) {
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String labelText = line.substring(name.length(), line.lastIndexOf('}') + 1);
            boolean all = true;
            for (String label : labels) {
                all &= labelText.contains(label);
            }
            if (all) {
                return Optional.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String aliasBody(String model, String version) {
        return "{\"type\":\"model_version.alias_set\",\"model\":\"%s\",\"version\":\"%s\",\"alias\":\"champion\"}"
                .formatted(model, version);
    }

    private static int sendWebhook(String body, String secret) throws Exception {
        String id = "msg_" + UUID.randomUUID();
        Instant now = Instant.now();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = new StandardWebhooks(secret, StandardWebhooks.DEFAULT_TOLERANCE).sign(id, now, bytes);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/webhooks/registry"))
                        .header("Content-Type", "application/json").header("webhook-id", id)
                        .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                        .header("webhook-signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
