package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.ApiClient;
import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.DeadLettersApi;
import dev.switchboard.client.api.DeliveriesApi;
import dev.switchboard.client.model.Attempt;
import dev.switchboard.client.model.DeadLetter;
import dev.switchboard.client.model.DeadLetterFilter;
import dev.switchboard.client.model.DeadLetterStage;
import dev.switchboard.client.model.DeliveryStatus;
import dev.switchboard.client.model.ReplayResult;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.webhook.StandardWebhooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Webhook in, durable delivery out, through the running hub's HTTP API: a signed webhook is accepted, its route's
 * action fails permanently and is dead-lettered with its reason, the target is fixed, and a replay delivers it exactly
 * once. Deliveries, attempts and dead letters are read and replayed through the generated client.
 */
class DeliveryFlowTest {

    private static final String TOKEN = "delivery-flow-token";
    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("delivery-flow-signing-key-32byte".getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static String base;
    private static ApiClient client;

    @BeforeAll
    static void startHub() throws Exception {
        ScriptedActionConnector.reset();
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
                  webhooks:
                    max-body-bytes: 4096
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
                """.formatted(TOKEN, routes, SECRET), null);
        base = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();
        client = new ApiClient();
        client.updateBaseUri(base);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + TOKEN));
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void aPermanentFailureIsDeadLetteredAndAReplayAfterTheFixDeliversItOnce() throws Exception {
        ScriptedActionConnector.script("ci").failPermanently();

        HttpResponse<String> accepted = sendWebhook("registry", aliasBody("churn", "7", "champion"), SECRET);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"stored\":1");

        DeadLetter deadLetter = await().atMost(Duration.ofSeconds(20)).until(() ->
                new DeadLettersApi(client).listDeadLetters("ci", DeadLetterStage.DELIVERY, null, null, true, null, 10)
                        .getItems().stream().findFirst().orElse(null), found -> found != null);
        assertThat(deadLetter.getReason()).contains("unknown workflow");
        var detail = new DeadLettersApi(client).getDeadLetter(deadLetter.getId());
        assertThat(detail.getDelivery().getStatus()).isEqualTo(DeliveryStatus.DEAD);
        assertThat(detail.getAttempts()).extracting(Attempt::getOutcome).containsExactly(Attempt.OutcomeEnum.FAILED);

        ScriptedActionConnector.script("ci").succeed();
        ReplayResult replayed = new DeadLettersApi(client).replayDeadLetter(deadLetter.getId());
        ApiException again = catchThrowableOfType(ApiException.class,
                () -> new DeadLettersApi(client).replayDeadLetter(deadLetter.getId()));

        assertThat(replayed.getOutcome()).isEqualTo(ReplayResult.OutcomeEnum.REPLAYED);
        assertThat(again.getCode()).isEqualTo(409);
        long deliveryId = detail.getDelivery().getId();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                new DeliveriesApi(client).getDelivery(deliveryId).getDelivery().getStatus() == DeliveryStatus.DELIVERED);
        assertThat(ScriptedActionConnector.script("ci").callsWithKey(detail.getDelivery().getIdempotencyKey()))
                .isEqualTo(2);
        assertThat(new DeliveriesApi(client).getDelivery(deliveryId).getAttempts()).extracting(Attempt::getOutcome)
                .containsExactly(Attempt.OutcomeEnum.FAILED, Attempt.OutcomeEnum.DELIVERED);
        assertThat(new DeliveriesApi(client).listDeliveries("ci", DeliveryStatus.DELIVERED, null, 50).getItems())
                .extracting(d -> d.getId()).contains(deliveryId);
    }

    @Test
    void replayingByFilterRequeuesEveryOpenDeadLetterOfAConnection() throws Exception {
        ScriptedActionConnector.script("ci").failPermanently();
        sendWebhook("registry", aliasBody("fraud", "1", "champion"), SECRET);
        sendWebhook("registry", aliasBody("fraud", "2", "champion"), SECRET);
        await().atMost(Duration.ofSeconds(20)).until(() -> new DeadLettersApi(client)
                .listDeadLetters("ci", null, null, null, true, null, 50).getItems().size() >= 2);

        ScriptedActionConnector.script("ci").succeed();
        List<ReplayResult> results = new DeadLettersApi(client).replayDeadLetters(new DeadLetterFilter().connection("ci"));

        assertThat(results).isNotEmpty().allSatisfy(r ->
                assertThat(r.getOutcome()).isEqualTo(ReplayResult.OutcomeEnum.REPLAYED));
        await().atMost(Duration.ofSeconds(20)).until(() -> new DeadLettersApi(client)
                .listDeadLetters("ci", null, null, null, true, null, 50).getItems().isEmpty());
        await().atMost(Duration.ofSeconds(20)).until(() -> new DeliveriesApi(client)
                .listDeliveries("ci", DeliveryStatus.DEAD, null, 50).getItems().isEmpty());
    }

    @Test
    void theCliListsAndReplaysDeadLetters() throws Exception {
        ScriptedActionConnector.script("ci").failPermanently();
        sendWebhook("registry", aliasBody("cli", "1", "champion"), SECRET);
        DeadLetter deadLetter = await().atMost(Duration.ofSeconds(20)).until(() -> new DeadLettersApi(client)
                .listDeadLetters("ci", null, null, null, true, null, 50).getItems().stream()
                .filter(d -> d.getReason().contains("unknown workflow")).findFirst().orElse(null), d -> d != null);

        var list = dev.switchboard.app.cli.CliTest.cli("dlq", "list", "--connection", "ci", "--url", base,
                "--token", TOKEN);
        ScriptedActionConnector.script("ci").succeed();
        var replay = dev.switchboard.app.cli.CliTest.cli("dlq", "replay", String.valueOf(deadLetter.getId()),
                "--url", base, "--token", TOKEN);
        var neither = dev.switchboard.app.cli.CliTest.cli("dlq", "replay", "--url", base, "--token", TOKEN);

        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("REASON").contains(String.valueOf(deadLetter.getId())).contains("unknown workflow");
        assertThat(replay.code()).isZero();
        assertThat(replay.out()).containsPattern(deadLetter.getId() + "\\s+REPLAYED");
        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).contains("give either a dead letter id or --connection");
    }

    @Test
    void badWebhooksGetProblemDetailsAndStoreNothing() throws Exception {
        String body = aliasBody("churn", "8", "champion");

        HttpResponse<String> wrongSecret = sendWebhook("registry", body, "whsec_" + java.util.Base64.getEncoder()
                .encodeToString("another-signing-key-of-32-bytes!".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> unknown = sendWebhook("nope", body, SECRET);
        HttpResponse<String> tooLarge = sendWebhook("registry", "{\"pad\":\"" + "x".repeat(5000) + "\"}", SECRET);

        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        for (HttpResponse<String> response : List.of(wrongSecret, unknown, tooLarge)) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body()).contains("\"detail\"").doesNotContain(SECRET);
        }
        assertThat(new DeliveriesApi(client).listDeliveries(null, null, null, 500).getItems())
                .noneMatch(d -> d.getSubject().equals("models/churn/versions/8"));
    }

    @Test
    void webhookMetricsAreExposedBehindTheAdminToken() throws Exception {
        sendWebhook("registry", aliasBody("metrics", "1", "champion"), SECRET);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/actuator/metrics/switchboard.webhooks")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(URI.create(base
                + "/actuator/metrics/switchboard.webhooks")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.body()).contains("\"outcome\"").contains("accepted");
        assertThat(without.statusCode()).isEqualTo(401);
    }

    private static String aliasBody(String model, String version, String alias) {
        return "{\"type\":\"model_version.alias_set\",\"model\":\"%s\",\"version\":\"%s\",\"alias\":\"%s\"}"
                .formatted(model, version, alias);
    }

    private static HttpResponse<String> sendWebhook(String connection, String body, String secret) throws Exception {
        String id = "msg_" + UUID.randomUUID();
        Instant now = Instant.now();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = new StandardWebhooks(secret, StandardWebhooks.DEFAULT_TOLERANCE).sign(id, now, bytes);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/webhooks/" + connection))
                        .header("Content-Type", "application/json")
                        .header("webhook-id", id)
                        .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                        .header("webhook-signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
