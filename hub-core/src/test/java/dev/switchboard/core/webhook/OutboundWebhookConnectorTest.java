package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The {@code webhook} connector against a loopback HTTP server. */
class OutboundWebhookConnectorTest {

    private static final String SECRET = IngressFixture.SECRET;

    /** What the receiver got. */
    record Received(Map<String, List<String>> headers, byte[] body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 204;
    private volatile String retryAfter;
    private Connection connection;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes()));
            if (retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        connection = open(url("/hook?token=do-not-show"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void isFoundThroughTheServiceLoader() {
        assertThat(ConnectorRegistry.discover(getClass().getClassLoader()).find(OutboundWebhookConnector.TYPE))
                .get().isInstanceOf(OutboundWebhookConnector.class);
    }

    @Test
    void sendEventPostsTheEventAsSignedCloudEventsJson() {
        var event = TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion");

        ActionTarget.Result result = send(event, "key-1");

        assertThat(result.outputs()).containsEntry("status", "204");
        Received request = received.get(0);
        assertThat(request.headers().get("Content-type")).containsExactly(WebhookSender.CONTENT_TYPE);
        assertThat(request.headers().get("Webhook-id")).containsExactly("key-1");
        var verified = new StandardWebhooks(SECRET).verify(new WebhookRequest("receiver", request.headers(),
                request.body(), Instant.now()));
        assertThat(verified.id()).isEqualTo("key-1");
        JsonNode json = WebhookJson.parse(request.body());
        assertThat(json.get("specversion").asString()).isEqualTo("1.0");
        assertThat(json.get("id").asString()).isEqualTo("d-1");
        assertThat(json.get("type").asString()).isEqualTo("dev.switchboard.model_version.alias_set");
        assertThat(json.get("subject").asString()).isEqualTo("models/churn/versions/3");
    }

    @Test
    void serverErrorsAndTooManyRequestsAreTransientWithTheServersRetryAfter() {
        status = 503;
        retryAfter = "7";
        assertThat(assertFailure(ErrorKind.TRANSIENT, "answered 503").retryAfter()).contains(Duration.ofSeconds(7));

        status = 429;
        retryAfter = null;
        assertThat(assertFailure(ErrorKind.TRANSIENT, "answered 429").retryAfter()).isEmpty();
    }

    @Test
    void aRetryAfterDateIsHonouredToo() {
        status = 503;
        retryAfter = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(2));
        assertThat(assertFailure(ErrorKind.TRANSIENT, "503").retryAfter().orElseThrow())
                .isBetween(Duration.ofSeconds(60), Duration.ofSeconds(121));
    }

    @Test
    void clientErrorsAreConfigurationErrors() {
        for (int clientError : new int[] {400, 401, 404, 410}) {
            status = clientError;
            assertFailure(ErrorKind.CONFIGURATION, "answered " + clientError);
        }
    }

    @Test
    void anUnreachableReceiverIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        connection = open("http://127.0.0.1:" + closedPort + "/hook");

        assertFailure(ErrorKind.TRANSIENT, "failed");
    }

    @Test
    void aConnectionDroppedBeforeAnyAnswerIsTriedOnceMoreWithTheSameWebhookId() throws Exception {
        try (RawReceiver receiver = new RawReceiver(RawReceiver.Answer.DROP, RawReceiver.Answer.NO_CONTENT)) {
            connection = open(receiver.url());

            ActionTarget.Result result = send(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion"),
                    "key-1");

            assertThat(result.outputs()).containsEntry("status", "204");
            assertThat(receiver.webhookIds()).containsExactly("key-1", "key-1");
        }
    }

    @Test
    void aReceiverThatDropsEveryConnectionFailsTransientlyAfterTheSecondTry() throws Exception {
        try (RawReceiver receiver = new RawReceiver(RawReceiver.Answer.DROP, RawReceiver.Answer.DROP,
                RawReceiver.Answer.NO_CONTENT)) {
            connection = open(receiver.url());

            assertFailure(ErrorKind.TRANSIENT, "failed");
            assertThat(receiver.webhookIds()).hasSize(2);
        }
    }

    @Test
    void aTimeoutIsNotTriedAgainAtOnce() throws Exception {
        try (RawReceiver receiver = new RawReceiver(RawReceiver.Answer.STALL, RawReceiver.Answer.NO_CONTENT)) {
            connection = new OutboundWebhookConnector().open(new ConnectionConfig("hooks", OutboundWebhookConnector.TYPE,
                    Map.of("url", receiver.url(), "secret", SECRET, "timeout", "300ms")), ConnectorContext.standalone());

            assertFailure(ErrorKind.TRANSIENT, "failed");
            assertThat(receiver.webhookIds()).hasSize(1);
        }
    }

    @Test
    void anUnknownActionIsAConfigurationError() {
        var target = connection.actionTarget().orElseThrow();
        assertThatThrownBy(() -> target.perform(new ActionTarget.Request("teleport", Map.of(),
                TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion"), "k")))
                .isInstanceOfSatisfying(ConnectorException.class, e ->
                        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("send-event");
    }

    @Test
    void validationNamesBadOptionsWithoutShowingTheSecret() {
        List<ConfigProblem> problems = new OutboundWebhookConnector().validate(new ConnectionConfig("hooks",
                OutboundWebhookConnector.TYPE, Map.of("url", "ftp://nowhere", "secret", "hunter2-plain")));

        assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "connections.hooks.options.url", "connections.hooks.options.secret");
        assertThat(problems).extracting(ConfigProblem::message).noneMatch(message -> message.contains("hunter2"));
        assertThat(new OutboundWebhookConnector().validate(new ConnectionConfig("hooks", OutboundWebhookConnector.TYPE,
                Map.of("url", url("/hook"), "secret", SECRET)))).isEmpty();
    }

    private ConnectorException assertFailure(ErrorKind kind, String message) {
        try {
            send(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion"), "key-1");
        } catch (ConnectorException e) {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains("[hooks]").contains(message).doesNotContain("do-not-show")
                    .doesNotContain(SECRET.substring(6));
            return e;
        }
        throw new AssertionError("expected a " + kind + " failure");
    }

    private ActionTarget.Result send(dev.switchboard.model.CanonicalEvent event, String key) {
        return connection.actionTarget().orElseThrow().perform(new ActionTarget.Request(OutboundWebhookConnector.SEND_EVENT,
                Map.of(), event, key));
    }

    private Connection open(String url) {
        return new OutboundWebhookConnector().open(new ConnectionConfig("hooks", OutboundWebhookConnector.TYPE,
                Map.of("url", url, "secret", SECRET, "timeout", "5s")), ConnectorContext.standalone());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /**
     * A receiver on a raw socket that treats each connection as scripted: answers 204, closes it without a byte
     * (what the client meets on a pooled connection the receiver closed while idle), or never answers.
     */
    private static final class RawReceiver implements AutoCloseable {

        enum Answer { NO_CONTENT, DROP, STALL }

        private final ServerSocket socket = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
        private final List<String> webhookIds = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        RawReceiver(Answer... answers) throws IOException {
            acceptor = new Thread(() -> {
                for (Answer answer : answers) {
                    try {
                        java.net.Socket client = socket.accept();
                        webhookIds.add(readRequest(client.getInputStream()));
                        switch (answer) {
                            case NO_CONTENT -> {
                                client.getOutputStream().write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                                client.getOutputStream().flush();
                            }
                            case DROP -> client.close();
                            case STALL -> { } // left open, unanswered, until the receiver closes
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "raw-receiver");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Reads one request's head and body; returns its {@code webhook-id}. */
        private static String readRequest(java.io.InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("request ended early");
                }
                head.append((char) b);
            }
            String id = null;
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("webhook-id:")) {
                    id = line.substring(line.indexOf(':') + 1).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            in.readNBytes(length);
            return id;
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
        }

        List<String> webhookIds() {
            return webhookIds;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
