package dev.switchboard.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.HubRunner;
import dev.switchboard.spi.WebhookSignatures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile and careless input over HTTP, one table per surface, against one running hub: webhooks to MLflow and GitHub
 * connections (what the real tools send is accepted, everything else refused with its status, problem+json and a
 * stable code, and nothing stored), and the admin API (every bad parameter or body a problem+json naming it, with no
 * Java type, stack trace or token in it).
 */
class HostileInputTest {

    private static final String TOKEN = "sb-hostile-admin-7c1e90d2f4";
    private static final String MLFLOW_SECRET = "mlflow-hostile-secret-41";
    private static final String GITHUB_SECRET = "gh-hostile-secret-93";
    private static final int MAX_BODY = 64 * 1024;
    /** Short, so that a body that never arrives is refused soon; long enough for any body sent whole. */
    private static final String BODY_TIMEOUT = "2s";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] ALIAS_SET = """
            {"entity": "model_version_alias", "action": "created", "timestamp": "2026-11-26T19:23:17.185376+00:00", \
            "data": {"name": "churn", "alias": "champion", "version": "3"}}""".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WORKFLOW_RUN = """
            {"action":"completed","workflow_run":{"id":289782451,"name":"train","status":"completed",\
            "conclusion":"success","html_url":"https://github.com/o/r/actions/runs/289782451"},\
            "repository":{"full_name":"o/r"},"sender":{"login":"octocat"}}""".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static RawHttp http;

    @BeforeAll
    static void startHub() throws Exception {
        hub = HubRunner.start(directory, """
                switchboard:
                  sandbox:
                    enabled: false
                  api:
                    token: %s
                  webhooks:
                    max-body-bytes: %d
                    body-timeout: %s
                  connections:
                    mlflow-prod:
                      type: mlflow
                      options:
                        tracking-url: http://127.0.0.1:1
                        webhook-secret: %s
                    mlflow-recorded:
                      type: mlflow
                      options:
                        tracking-url: http://127.0.0.1:1
                        webhook-secret: s3cr3t
                        webhook-max-age: 36500d
                    mlflow-unsigned:
                      type: mlflow
                      options:
                        tracking-url: http://127.0.0.1:1
                    github:
                      type: github
                      options:
                        repository: o/r
                        token: ghp_hostileTestToken0123
                        webhook-secret: %s
                    github-unsigned:
                      type: github
                      options:
                        repository: o/r
                        token: ghp_hostileTestToken0123
                """.formatted(TOKEN, MAX_BODY, BODY_TIMEOUT, MLFLOW_SECRET, GITHUB_SECRET), null);
        http = new RawHttp(((WebServerApplicationContext) hub).getWebServer().getPort());
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    /** How the body travels: with its true length, chunked without one, or under a declared length that lies. */
    enum Framing { LENGTH, CHUNKED, DECLARED_HUGE }

    /**
     * One webhook the hub must refuse.
     *
     * @param name       what it tries
     * @param target     the request target
     * @param headers    header lines
     * @param body       the body
     * @param framing    how the body is framed
     * @param status     the status it must get
     * @param code       the problem's {@code code}, or null where the container or the access filter answers first
     */
    record Refused(String name, String target, List<String> headers, byte[] body, Framing framing, int status,
                   String code) {

        @Override
        public String toString() {
            return status + " " + name;
        }
    }

    static Stream<Refused> refusedWebhooks() {
        List<Refused> cases = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        cases.add(mlflow("connection without a webhook secret", "/webhooks/mlflow-unsigned", ALIAS_SET, now, 401,
                "bad_signature"));
        cases.add(github("GitHub connection without a webhook secret", "/webhooks/github-unsigned", WORKFLOW_RUN,
                githubSignature(WORKFLOW_RUN), 401, "bad_signature"));
        cases.add(mlflow("unknown connection", "/webhooks/nope", ALIAS_SET, now, 404, "unknown_connection"));
        cases.add(mlflow("connection name in upper case", "/webhooks/MLFLOW-PROD", ALIAS_SET, now, 404,
                "unknown_connection"));
        cases.add(mlflow("connection name with %2F", "/webhooks/mlflow%2Fprod", ALIAS_SET, now, 400, null));
        cases.add(mlflow("connection name with ..", "/webhooks/../webhooks/mlflow-prod", ALIAS_SET, now, 400, null));
        cases.add(mlflow("Cyrillic look-alike, percent-encoded", "/webhooks/mlflow-pr%D0%BEd", ALIAS_SET, now, 400,
                null));
        cases.add(mlflow("Cyrillic look-alike, raw bytes", "/webhooks/mlflow-pr\u00d0\u00bed", ALIAS_SET, now, 400,
                null));
        cases.add(mlflow("fullwidth look-alike", "/webhooks/%EF%BD%8Dlflow-prod", ALIAS_SET, now, 400, null));

        String id = UUID.randomUUID().toString();
        String good = mlflowSignature(MLFLOW_SECRET, id, now, ALIAS_SET);
        cases.add(mlflowWith("no signature header", ALIAS_SET, List.of("X-MLflow-Delivery-Id: " + id,
                "X-MLflow-Timestamp: " + now), 401, "bad_signature"));
        cases.add(mlflowWith("the signature header twice, the right one first", ALIAS_SET, List.of(
                "X-MLflow-Delivery-Id: " + id, "X-MLflow-Timestamp: " + now, "X-MLflow-Signature: " + good,
                "X-MLflow-Signature: v1,AAAA"), 400, "malformed"));
        cases.add(mlflowWith("the delivery id twice", ALIAS_SET, List.of("X-MLflow-Delivery-Id: " + id,
                "X-MLflow-Delivery-Id: other", "X-MLflow-Timestamp: " + now, "X-MLflow-Signature: " + good), 400,
                "malformed"));
        cases.add(mlflowWith("two signatures in one header", ALIAS_SET, List.of("X-MLflow-Delivery-Id: " + id,
                "X-MLflow-Timestamp: " + now, "X-MLflow-Signature: " + good + " v1,AAAA"), 401, "bad_signature"));
        cases.add(mlflowWith("a signature valid for another body", ALIAS_SET, List.of("X-MLflow-Delivery-Id: " + id,
                "X-MLflow-Timestamp: " + now, "X-MLflow-Signature: " + mlflowSignature(MLFLOW_SECRET, id, now,
                        "{}".getBytes(StandardCharsets.UTF_8))), 401, "bad_signature"));
        cases.add(mlflow("a stale timestamp", "/webhooks/mlflow-prod", ALIAS_SET, now - 3600, 401, "stale"));
        cases.add(mlflow("a far-future timestamp", "/webhooks/mlflow-prod", ALIAS_SET, now + 86_400 * 365, 401, "stale"));

        byte[] big = padded(MAX_BODY + 1);
        cases.add(mlflow("a body one byte over the limit", "/webhooks/mlflow-prod", big, now, 413, "too_large"));
        cases.add(new Refused("a chunked body over the limit", "/webhooks/mlflow-prod",
                mlflowHeaders(MLFLOW_SECRET, id, now, big), big, Framing.CHUNKED, 413, "too_large"));
        cases.add(new Refused("a Content-Length of 10 GB over a short body", "/webhooks/mlflow-prod",
                mlflowHeaders(MLFLOW_SECRET, id, now, ALIAS_SET), ALIAS_SET, Framing.DECLARED_HUGE, 413, "too_large"));

        cases.add(mlflow("invalid UTF-8 (an overlong slash)", "/webhooks/mlflow-prod",
                replace(ALIAS_SET, "churn", new byte[] {'c', (byte) 0xC0, (byte) 0xAF}), now, 400, "malformed"));
        cases.add(mlflow("JSON nested 10,000 deep", "/webhooks/mlflow-prod",
                ("{\"entity\": \"model_version\", \"action\": \"created\", \"data\": " + "[".repeat(10_000)
                        + "]".repeat(10_000) + "}").getBytes(StandardCharsets.UTF_8), now, 400, "malformed"));
        cases.add(mlflow("a 5,000-digit number", "/webhooks/mlflow-prod", replace(ALIAS_SET, "\"3\"",
                "9".repeat(5000).getBytes(StandardCharsets.UTF_8)), now, 400, "malformed"));
        cases.add(mlflow("a duplicate key", "/webhooks/mlflow-prod", replace(ALIAS_SET, "\"alias\": \"champion\"",
                "\"alias\": \"champion\", \"alias\": \"retired\"".getBytes(StandardCharsets.UTF_8)), now, 400,
                "malformed"));
        cases.add(withHeader(mlflow("Content-Type text/plain", "/webhooks/mlflow-prod", ALIAS_SET, now, 415,
                "unsupported_media_type"), "Content-Type: application/json", "Content-Type: text/plain"));
        cases.add(withHeader(mlflow("charset ISO-8859-1", "/webhooks/mlflow-prod", ALIAS_SET, now, 415,
                "unsupported_media_type"), "Content-Type: application/json",
                "Content-Type: application/json; charset=ISO-8859-1"));
        cases.add(withHeader(mlflow("Content-Type sent twice", "/webhooks/mlflow-prod", ALIAS_SET, now, 400,
                "malformed"), "Content-Type: application/json", "Content-Type: application/json",
                "Content-Type: text/plain"));
        cases.add(withHeader(mlflow("Content-Encoding gzip", "/webhooks/mlflow-prod", ALIAS_SET, now, 415,
                "unsupported_media_type"), "Content-Type: application/json", "Content-Type: application/json",
                "Content-Encoding: gzip"));

        String githubGood = githubSignature(WORKFLOW_RUN);
        cases.add(github("GitHub signature in upper-case hex", "/webhooks/github", WORKFLOW_RUN,
                "sha256=" + githubGood.substring(7).toUpperCase(java.util.Locale.ROOT), 401, "bad_signature"));
        cases.add(github("GitHub SHA-1 signature only", "/webhooks/github", WORKFLOW_RUN, null, 401, "bad_signature"));
        byte[] twoRepositories = replace(WORKFLOW_RUN, "\"sender\"",
                "\"repository\":{\"full_name\":\"evil/x\"},\"sender\"".getBytes(StandardCharsets.UTF_8));
        cases.add(github("GitHub body with a duplicate key, signed", "/webhooks/github", twoRepositories,
                githubSignature(twoRepositories), 400, "malformed"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedWebhooks")
    void aHostileWebhookIsRefusedWithAProblemAndNothingIsStored(Refused hostile) throws Exception {
        long before = storedEvents();

        RawHttp.Response response = http.exchange(request(hostile));

        assertThat(response.status()).as(response.toString()).isEqualTo(hostile.status());
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(hostile.status());
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank().doesNotContain(MLFLOW_SECRET)
                .doesNotContain(GITHUB_SECRET).doesNotContain("Exception").doesNotContain("dev.switchboard");
        if (hostile.code() != null) {
            assertThat(problem.path("code").asString()).as(response.toString()).isEqualTo(hostile.code());
        }
        assertThat(storedEvents()).as("events in the inbox").isEqualTo(before);
    }

    /** Every delivery MLflow 3.6 sent while recorded: verified as they are, each stored once however often sent. */
    @Test
    void whatRealMlflowSentIsAcceptedAndARedeliveryIsStoredOnce() throws Exception {
        Path recordings = Path.of("..", "conformance-tests", "src", "test", "resources", "recordings",
                "mlflow-3.6.0-webhook-deliveries.jsonl");
        List<String> lines = Files.readAllLines(recordings);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
        long before = storedEvents();
        int stored = 0;
        for (String line : lines) {
            JsonNode delivery = JSON.readTree(line);
            List<String> headers = new ArrayList<>();
            delivery.path("headers").properties().stream()
                    .filter(h -> !List.of("Host", "Content-Length", "Connection").contains(h.getKey()))
                    .forEach(h -> headers.add(h.getKey() + ": " + h.getValue().asString()));
            byte[] body = delivery.path("raw_body").asString().getBytes(StandardCharsets.UTF_8);

            RawHttp.Response first = http.send("POST", "/webhooks/mlflow-recorded", body,
                    headers.toArray(String[]::new));
            RawHttp.Response again = http.send("POST", "/webhooks/mlflow-recorded", body,
                    headers.toArray(String[]::new));

            assertThat(first.status()).as(first.toString()).isEqualTo(202);
            assertThat(again.status()).as(again.toString()).isEqualTo(202);
            assertThat(again.body()).contains("\"stored\":0");
            stored += JSON.readTree(first.body()).path("stored").asInt();
        }
        assertThat(stored).as("the test delivery is acknowledged, not stored").isEqualTo(lines.size() - 1);
        assertThat(storedEvents()).isEqualTo(before + stored);
    }

    /**
     * One bad admin API request.
     *
     * @param method  the method
     * @param target  the request target
     * @param body    the body, or null
     * @param headers header lines besides the token
     * @param status  the status it must get
     * @param names   what the detail must say: the parameter or field at fault, first
     */
    record BadCall(String method, String target, String body, List<String> headers, int status, String names) {

        @Override
        public String toString() {
            return status + " " + method + " " + target + (body == null ? "" : " " + body);
        }
    }

    static Stream<BadCall> badApiCalls() {
        List<String> json = List.of("Content-Type: application/json");
        return Stream.of(
                new BadCall("GET", "/api/v1/events?size=0", null, List.of(), 400, "size must be between 1 and 500"),
                new BadCall("GET", "/api/v1/events?size=-1", null, List.of(), 400, "size must be between 1 and 500"),
                new BadCall("GET", "/api/v1/events?size=501", null, List.of(), 400, "size must be between 1 and 500"),
                new BadCall("GET", "/api/v1/events?size=99999999999", null, List.of(), 400,
                        "size: expected a whole number, was \"99999999999\""),
                new BadCall("GET", "/api/v1/events?size=abc", null, List.of(), 400, "size: expected a whole number"),
                new BadCall("GET", "/api/v1/events?type=bogus", null, List.of(), 400, "type: unknown event type"),
                new BadCall("GET", "/api/v1/events?from=yesterday", null, List.of(), 400, "from: expected a date-time"),
                new BadCall("GET", "/api/v1/events?pageToken=-5", null, List.of(), 400, "pageToken \"-5\""),
                new BadCall("GET", "/api/v1/events/abc", null, List.of(), 400, "seq: expected a whole number"),
                new BadCall("GET", "/api/v1/events/" + "9".repeat(60), null, List.of(), 400,
                        "seq: expected a whole number, was a value of 60 characters"),
                new BadCall("GET", "/api/v1/deliveries?status=bogus", null, List.of(), 400,
                        "status: expected one of "),
                new BadCall("GET", "/api/v1/dead-letters?stage=bogus", null, List.of(), 400,
                        "stage: expected one of "),
                new BadCall("GET", "/api/v1/dead-letters/abc", null, List.of(), 400, "id: expected a whole number"),
                new BadCall("POST", "/api/v1/dead-letters/replay", "not json", json, 400, "body: not valid JSON"),
                new BadCall("POST", "/api/v1/dead-letters/replay", "", json, 400, "body: missing"),
                new BadCall("POST", "/api/v1/dead-letters/replay", "{\"conection\":\"github\"}", json, 400,
                        "body field conection: not a field of this request; known fields: connection, from, stage, to"),
                new BadCall("POST", "/api/v1/dead-letters/replay", "{\"stage\":\"bogus\"}", json, 400,
                        "body field stage: expected one of "),
                new BadCall("POST", "/api/v1/dead-letters/replay", "{\"from\":\"yesterday\"}", json, 400,
                        "body field from: expected a date-time"),
                new BadCall("POST", "/api/v1/dead-letters/replay", "[1,2]", json, 400, "body: expected an object"),
                new BadCall("POST", "/api/v1/events", "{}", List.of("Content-Type: text/plain"), 415, "text/plain"),
                new BadCall("POST", "/api/v1/events", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", json,
                        400, "body: not valid JSON"),
                new BadCall("GET", "/api/v1/events?access_token=" + TOKEN, null, List.of(), 400,
                        "may not be sent in the query string"),
                new BadCall("GET", "/api/v1/events?filter=" + TOKEN, null, List.of(), 400,
                        "may not be sent in the query string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badApiCalls")
    void aBadApiCallIsAProblemNamingWhatIsWrong(BadCall call) throws Exception {
        List<String> headers = new ArrayList<>(call.headers());
        headers.add("Authorization: Bearer " + TOKEN);

        RawHttp.Response response = http.send(call.method(), call.target(),
                call.body() == null ? null : call.body().getBytes(StandardCharsets.UTF_8),
                headers.toArray(String[]::new));

        assertThat(response.status()).as(response.toString()).isEqualTo(call.status());
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(call.status());
        assertThat(problem.path("detail").asString()).as(response.toString()).contains(call.names())
                .doesNotContain(TOKEN).doesNotContain("Exception").doesNotContain("java.")
                .doesNotContain("dev.switchboard").doesNotContain("\tat ");
    }

    @Test
    void aTokenInTheQueryStringIsRefusedWithOrWithoutTheHeaderAndABodyDeclaredTooLargeIsNotRead() throws Exception {
        RawHttp.Response alone = http.get("/api/v1/events?token=" + TOKEN);
        RawHttp.Response misnamed = http.get("/api/v1/events?api-key=anything", "Authorization: Bearer " + TOKEN);
        RawHttp.Response huge = http.exchange(("POST /api/v1/routes/validate HTTP/1.1\r\nHost: x\r\nConnection: close"
                + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/yaml\r\nContent-Length: "
                + 10_000_000_000L + "\r\n\r\n- route: {}\n").getBytes(StandardCharsets.ISO_8859_1));

        assertThat(alone.status()).as(alone.toString()).isEqualTo(400);
        assertThat(misnamed.status()).as(misnamed.toString()).isEqualTo(400);
        assertThat(huge.status()).as(huge.toString()).isEqualTo(413);
        assertThat(huge.body()).contains("body: 10000000000 bytes declared");
        for (RawHttp.Response response : List.of(alone, misnamed, huge)) {
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.body()).doesNotContain(TOKEN);
        }
    }

    /**
     * A request whose body could be framed two ways (RFC 9112 §6.1, §6.3), or with a transfer coding the hub does not
     * implement: refused before its body is read, as a problem.
     *
     * @param name   what it tries
     * @param head   the request line and the headers besides Host, Connection and the signature
     * @param status the status it must get
     */
    record Framed(String name, String head, int status) {

        @Override
        public String toString() {
            return status + " " + name;
        }
    }

    static Stream<Framed> ambiguouslyFramedRequests() {
        return Stream.of(
                new Framed("webhook with Content-Length and Transfer-Encoding: chunked",
                        "POST /webhooks/mlflow-prod HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked", 400),
                new Framed("webhook with Transfer-Encoding first, then a Content-Length in upper case",
                        "POST /webhooks/mlflow-prod HTTP/1.1\r\nTransfer-Encoding: chunked\r\nCONTENT-LENGTH: 0", 400),
                new Framed("API call with Content-Length and Transfer-Encoding: chunked",
                        "POST /api/v1/routes/validate HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                                + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked", 400),
                new Framed("Transfer-Encoding in an HTTP/1.0 request",
                        "POST /webhooks/mlflow-prod HTTP/1.0\r\nTransfer-Encoding: chunked", 400),
                new Framed("Transfer-Encoding: chunked, chunked",
                        "POST /webhooks/mlflow-prod HTTP/1.1\r\nTransfer-Encoding: chunked, chunked", 400),
                new Framed("Transfer-Encoding: gzip, chunked",
                        "POST /webhooks/mlflow-prod HTTP/1.1\r\nTransfer-Encoding: gzip, chunked", 501),
                new Framed("Transfer-Encoding: identity with a Content-Length",
                        "POST /webhooks/mlflow-prod HTTP/1.1\r\nTransfer-Encoding: identity\r\nContent-Length: "
                                + ALIAS_SET.length, 501));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ambiguouslyFramedRequests")
    void anAmbiguouslyFramedRequestIsRefusedUnreadAndNothingIsStored(Framed framed) throws Exception {
        long before = storedEvents();
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        // A well-signed webhook, chunked, followed by a second request a proxy going by Content-Length would see.
        String head = framed.head() + "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + String.join("\r\n", mlflowHeaders(MLFLOW_SECRET, id, now, ALIAS_SET).subList(1, 4)) + "\r\n\r\n";
        byte[] chunked = (Integer.toHexString(ALIAS_SET.length) + "\r\n" + new String(ALIAS_SET, StandardCharsets.UTF_8)
                + "\r\n0\r\n\r\nGET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(framed.head().contains("identity") ? ALIAS_SET : chunked);

        RawHttp.Response response = http.exchange(request.toByteArray());

        assertThat(response.status()).as(response.toString()).isEqualTo(framed.status());
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(framed.status());
        if (framed.status() == 400 && framed.head().toLowerCase(java.util.Locale.ROOT).contains("content-length")) {
            assertThat(response.body()).contains("Content-Length or Transfer-Encoding, not both");
        }
        assertThat(response.body()).doesNotContain(TOKEN);
        assertThat(response.headers().get("connection")).as(response.toString()).isEqualTo("close");
        assertThat(storedEvents()).as("events in the inbox").isEqualTo(before);
    }

    /**
     * A body that does not arrive in full within {@code switchboard.webhooks.body-timeout}: declared longer than it
     * is, or dripped a byte at a time (which no per-read timeout ends), as a webhook or an API call, and with the
     * drip inside a chunk's header. Each is answered 408 while the sender is still sending, and nothing is stored.
     *
     * @param name   what it does
     * @param head   the request line and headers, without Host and Connection
     * @param body   what is sent of the body
     * @param pause  the pause between single bytes, or zero to send the body at once and then nothing
     */
    record Slow(String name, String head, byte[] body, Duration pause) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Slow> slowBodies() {
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        String webhook = "POST /webhooks/mlflow-prod HTTP/1.1\r\n" + String.join("\r\n",
                mlflowHeaders(MLFLOW_SECRET, id, now, ALIAS_SET)) + "\r\n";
        String api = "POST /api/v1/routes/validate HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/yaml\r\n";
        byte[] longExtension = ("1;x=" + "a".repeat(4000) + "\r\n-\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return Stream.of(
                new Slow("webhook body shorter than its Content-Length", webhook + "Content-Length: "
                        + (ALIAS_SET.length + 100), ALIAS_SET, Duration.ZERO),
                new Slow("webhook body dripped a byte at a time", webhook + "Content-Length: " + (MAX_BODY - 1),
                        padded(MAX_BODY - 1), Duration.ofMillis(50)),
                new Slow("API body shorter than its Content-Length", api + "Content-Length: 100",
                        "- route: {}\n".getBytes(StandardCharsets.UTF_8), Duration.ZERO),
                new Slow("chunked API body dripped inside a chunk extension", api + "Transfer-Encoding: chunked",
                        longExtension, Duration.ofMillis(50)),
                new Slow("console login form dripped a byte at a time", "POST /console/login HTTP/1.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000",
                        ("token=" + "a".repeat(3994)).getBytes(StandardCharsets.ISO_8859_1), Duration.ofMillis(50)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slowBodies")
    void aBodyThatDoesNotArriveInTimeIsAnswered408AndNothingIsStored(Slow slow) throws Exception {
        long before = storedEvents();
        byte[] head = (slow.head() + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);

        // The socket's read timeout (20 s) is the generous bound; the hub's is 2 s, and the drips last minutes.
        RawHttp.Response response = slow.pause().isZero()
                ? http.stream(head, slow.body(), slow.body().length, Duration.ofMinutes(1))
                : http.stream(head, slow.body(), 1, slow.pause());

        assertThat(response.status()).as(response.toString()).isEqualTo(408);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("code").asString()).isEqualTo("body_timeout");
        assertThat(problem.path("detail").asString()).contains("within 2000 ms (switchboard.webhooks.body-timeout)")
                .doesNotContain(TOKEN).doesNotContain(MLFLOW_SECRET);
        assertThat(storedEvents()).as("events in the inbox").isEqualTo(before);
    }

    @Test
    void aWebhookToAnUnknownConnectionIsRefusedWithoutWaitingForItsBody() throws Exception {
        byte[] head = ("POST /webhooks/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (ALIAS_SET.length + 100) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);

        RawHttp.Response response = http.stream(head, ALIAS_SET, ALIAS_SET.length, Duration.ofMinutes(1));

        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("code").asString()).isEqualTo("unknown_connection");
    }

    @Test
    void aChunkedApiBodyOverTheLimitIsRefusedAfterTheLimitAndNotReadFurther() throws Exception {
        int limit = 4 * 1024 * 1024;
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        byte[] piece = "#".repeat(65_536).getBytes(StandardCharsets.ISO_8859_1);
        for (int sent = 0; sent <= limit; sent += piece.length) {
            chunked.writeBytes((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.writeBytes(piece);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        byte[] head = ("POST /api/v1/routes/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/yaml\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

        RawHttp.Response response = http.stream(head, chunked.toByteArray(), 65_536, Duration.ZERO);

        assertThat(response.status()).as(response.toString()).isEqualTo(413);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(JSON.readTree(response.body()).path("detail").asString())
                .isEqualTo("body: more than " + limit + " bytes sent; the hub accepts at most " + limit);
    }

    private static long storedEvents() throws Exception {
        RawHttp.Response events = http.get("/api/v1/events?size=500", "Authorization: Bearer " + TOKEN);
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        return JSON.readTree(events.body()).path("items").size();
    }

    private static byte[] request(Refused hostile) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder("POST " + hostile.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n");
        hostile.headers().forEach(line -> head.append(line).append("\r\n"));
        head.append(switch (hostile.framing()) {
            case LENGTH -> "Content-Length: " + hostile.body().length;
            case CHUNKED -> "Transfer-Encoding: chunked";
            case DECLARED_HUGE -> "Content-Length: 10000000000";
        }).append("\r\n\r\n");
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (hostile.framing() == Framing.CHUNKED) {
            for (int at = 0; at < hostile.body().length; at += 4096) {
                int size = Math.min(4096, hostile.body().length - at);
                request.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                request.write(hostile.body(), at, size);
                request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else {
            request.writeBytes(hostile.body());
        }
        return request.toByteArray();
    }

    private static Refused mlflow(String name, String target, byte[] body, long timestamp, int status, String code) {
        return new Refused(name, target, mlflowHeaders(MLFLOW_SECRET, UUID.randomUUID().toString(), timestamp, body),
                body, Framing.LENGTH, status, code);
    }

    private static Refused mlflowWith(String name, byte[] body, List<String> headers, int status, String code) {
        List<String> all = new ArrayList<>(List.of("Content-Type: application/json"));
        all.addAll(headers);
        return new Refused(name, "/webhooks/mlflow-prod", all, body, Framing.LENGTH, status, code);
    }

    private static Refused withHeader(Refused refused, String replaced, String... replacements) {
        List<String> headers = new ArrayList<>(refused.headers());
        int at = headers.indexOf(replaced);
        headers.remove(at);
        headers.addAll(at, List.of(replacements));
        return new Refused(refused.name(), refused.target(), headers, refused.body(), refused.framing(),
                refused.status(), refused.code());
    }

    /** The headers MLflow 3 sends with a delivery (mlflow/webhooks/delivery.py). */
    private static List<String> mlflowHeaders(String secret, String id, long timestamp, byte[] body) {
        return List.of("Content-Type: application/json", "X-MLflow-Delivery-Id: " + id,
                "X-MLflow-Timestamp: " + timestamp, "X-MLflow-Signature: " + mlflowSignature(secret, id, timestamp, body));
    }

    private static String mlflowSignature(String secret, String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(WebhookSignatures.hmacSha256(secret,
                (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body));
    }

    private static Refused github(String name, String target, byte[] body, String signature, int status, String code) {
        List<String> headers = new ArrayList<>(List.of("Content-Type: application/json", "X-GitHub-Event: workflow_run",
                "X-GitHub-Delivery: " + UUID.randomUUID()));
        headers.add(signature == null ? "X-Hub-Signature: sha1=0000" : "X-Hub-Signature-256: " + signature);
        return new Refused(name, target, headers, body, Framing.LENGTH, status, code);
    }

    private static String githubSignature(byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(GITHUB_SECRET, body));
    }

    private static byte[] padded(int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) ' ');
        System.arraycopy(ALIAS_SET, 0, body, 0, ALIAS_SET.length);
        return body;
    }

    private static byte[] replace(byte[] body, String target, byte[] replacement) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(target);
        assertThat(at).as(target).isNotNegative();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.writeBytes(replacement);
        out.write(body, at + target.length(), body.length - at - target.length());
        return out.toByteArray();
    }
}
