package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fake is no kinder than MLflow: verbs, content types, limits, error shapes and types as the real server. */
class MlflowFakeTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(MLFLOW.baseUrl() + "/api/2.0/mlflow/" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void duplicateRegisteredModelIsHttp400ResourceAlreadyExists() throws Exception {
        assertThat(send("POST", "registered-models/create", "application/json", "{\"name\": \"churn\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> again = send("POST", "registered-models/create", "application/json", "{\"name\": \"churn\"}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).isEqualTo("{\"error_code\":\"RESOURCE_ALREADY_EXISTS\","
                + "\"message\":\"Registered Model (name=churn) already exists.\"}");
    }

    @Test
    void registrySearchIsGetOnlyAndRunSearchIsPostOnly() throws Exception {
        assertThat(send("POST", "registered-models/search", "application/json", "{}").statusCode()).isEqualTo(405);
        assertThat(send("POST", "model-versions/search", "application/json", "{}").statusCode()).isEqualTo(405);
        assertThat(send("GET", "runs/search", null, null).statusCode()).isEqualTo(405);
        assertThat(send("GET", "no/such/endpoint", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void asMlflow2TheFakeHasNoWebhooksAndSendsNone() throws Exception {
        MLFLOW.asMlflow2();

        HttpResponse<String> create = send("POST", "webhooks", "application/json",
                "{\"name\": \"hub\", \"url\": \"http://hub/webhooks/mlflow\", \"events\": []}");
        IllegalStateException refused = catchThrowableOfType(IllegalStateException.class,
                () -> MLFLOW.registerWebhook(null, "s3cr3t"));
        MLFLOW.createModelVersion("churn", "s3://models/churn/1");
        MLFLOW.call("POST", "registered-models/alias", java.util.Map.of("name", "churn", "alias", "champion",
                "version", "1"));

        assertThat(create.statusCode()).isEqualTo(404);
        assertThat(create.body()).contains("<title>404 Not Found</title>");
        assertThat(refused).hasMessageContaining("MLflow 2.x has no webhooks");
        assertThat(MLFLOW.sentWebhooks()).isEmpty();
        assertThat(MLFLOW.call("GET", "model-versions/get", java.util.Map.of("name", "churn", "version", "1"))
                .get("model_version").get("aliases").get(0).asString()).isEqualTo("champion");
    }

    @Test
    void postWithoutJsonContentTypeIsRejected() throws Exception {
        HttpResponse<String> response = send("POST", "registered-models/create", "text/plain", "{\"name\": \"x\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("INVALID_PARAMETER_VALUE").contains("Content-Type");
    }

    @Test
    void searchAboveTheLimitIsRejectedAndPagesEndWithoutAToken() throws Exception {
        assertThat(send("GET", "registered-models/search?max_results=1001", null, null).body())
                .contains("INVALID_PARAMETER_VALUE");
        for (String name : new String[] {"a", "b"}) {
            send("POST", "registered-models/create", "application/json", "{\"name\": \"" + name + "\"}");
        }
        String first = send("GET", "registered-models/search?max_results=1", null, null).body();
        assertThat(first).contains("\"next_page_token\"");
        String token = first.replaceAll(".*\"next_page_token\":\"([^\"]+)\".*", "$1");
        String last = send("GET", "registered-models/search?max_results=1&page_token=" + token, null, null).body();
        assertThat(last).contains("\"name\":\"b\"").doesNotContain("next_page_token");
    }

    @Test
    void versionsAreStringsAndMissingVersionsAre404() throws Exception {
        MLFLOW.createModelVersion("churn", "s3://m/churn");
        assertThat(send("GET", "model-versions/get?name=churn&version=1", null, null).body())
                .contains("\"version\":\"1\"");
        HttpResponse<String> missing = send("GET", "model-versions/get?name=churn&version=7", null, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"error_code\":\"RESOURCE_DOES_NOT_EXIST\"");
    }

    /** The fake POSTs each registry change to the registered URL; the connector accepts what arrives there. */
    @Test
    void webhooksArePostedToTheRegisteredUrlSignedAsMlflowSignsThem() throws Exception {
        List<WebhookRequest> received = new CopyOnWriteArrayList<>();
        HttpServer hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/webhooks/mlflow-prod", exchange -> {
            received.add(new WebhookRequest("mlflow-prod", exchange.getRequestHeaders(),
                    exchange.getRequestBody().readAllBytes(), MLFLOW.clock().instant()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hub.start();
        try {
            MLFLOW.registerWebhook(URI.create("http://127.0.0.1:" + hub.getAddress().getPort()
                    + "/webhooks/mlflow-prod"), "s3cret");
            MLFLOW.createModelVersion("churn", "s3://m/churn");
        } finally {
            hub.stop(0);
        }

        assertThat(received).hasSize(2); // registered_model.created, model_version.created
        try (Connection connection = new MlflowConnector().open(new ConnectionConfig("mlflow-prod", "mlflow",
                        Map.of("tracking-url", MLFLOW.baseUrl().toString(), "webhook-secret", "s3cret")),
                new ConnectorContext(MLFLOW.clock(), ArtifactResolver.NONE))) {
            List<CanonicalEvent> events = connection.eventSource().orElseThrow().receive(received.get(1));
            assertThat(events).extracting(CanonicalEvent::type).containsExactly(EventType.MODEL_VERSION_CREATED);
            assertThat(events.get(0).id()).isEqualTo(received.get(1).header("X-MLflow-Delivery-Id").orElseThrow());
        }
    }
}
