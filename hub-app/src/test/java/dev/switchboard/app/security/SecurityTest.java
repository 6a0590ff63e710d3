package dev.switchboard.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.HubRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The hub as an attacker meets it: a running hub with an admin token and a GitHub connection, spoken to over raw
 * sockets so that every spelling reaches the server as written. Nothing protected answers without the token however
 * its path is spelled, submitted route text never creates an object, error answers are problem+json, and at the end
 * the hub's whole log is searched for every secret it was configured with and every token that was sent to it.
 */
class SecurityTest {

    private static final String TOKEN = "sb-admin-9f2c41d7e08a4b6c";
    private static final String GITHUB_TOKEN = "ghp_securitytestTokenAbcdef0123456789";
    private static final String GITHUB_SECRET = "gh-webhook-secret-5d1e7a";
    private static final String WRONG_TOKEN = "sb-wrong-token-3b8e";
    private static final List<String> PROTECTED = List.of("/api/v1/connections", "/api/v1/events",
            "/api/v1/dead-letters", "/api/v1/sync-jobs", "/api/v1/routes", "/actuator", "/actuator/metrics",
            "/actuator/info", "/actuator/prometheus", "/actuator/env", "/error");

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static RawHttp http;
    private static Path log;
    /** Every token any request of this class sent; none may appear in the log. */
    private static final Set<String> SENT_TOKENS = new LinkedHashSet<>(List.of(TOKEN, WRONG_TOKEN));

    @BeforeAll
    static void startHub() throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("log.camel.yaml"), """
                - route:
                    id: log-runs
                    from:
                      uri: switchboard:events
                      parameters:
                        type: ci_run.finished
                      steps:
                        - log: "run ${body.subject}"
                """);
        log = directory.resolve("hub.log");
        hub = HubRunner.start(directory, """
                logging:
                  file:
                    name: %s
                switchboard:
                  sandbox:
                    enabled: false
                  api:
                    token: %s
                  routes:
                    directory: %s
                  connections:
                    github:
                      type: github
                      options:
                        repository: acme/deploy
                        token: %s
                        webhook-secret: %s
                """.formatted(log, TOKEN, routes, GITHUB_TOKEN, GITHUB_SECRET), null);
        http = new RawHttp(((WebServerApplicationContext) hub).getWebServer().getPort());
    }

    @AfterAll
    static void stopHubAndSearchItsLog() throws Exception {
        hub.close();
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(text).as("the hub's log").contains("Tomcat started on port");
        List<String> secrets = new ArrayList<>(SENT_TOKENS);
        secrets.addAll(List.of(GITHUB_TOKEN, GITHUB_SECRET));
        for (String secret : secrets) {
            assertThat(text).as("the hub's log must not contain a secret or a sent token").doesNotContain(secret);
        }
    }

    static Stream<String> protectedPaths() {
        return PROTECTED.stream();
    }

    @ParameterizedTest
    @MethodSource("protectedPaths")
    void everySpellingOfAProtectedPathIsRefusedWithoutTheToken(String path) throws Exception {
        List<String> spellings = spellings(path);
        assertThat(spellings).hasSizeGreaterThanOrEqualTo(10);
        for (String spelling : spellings) {
            for (String[] auth : List.of(new String[0], new String[] {"Authorization: Bearer " + WRONG_TOKEN},
                    new String[] {"Authorization: Bearer " + TOKEN.substring(0, TOKEN.length() - 1)},
                    new String[] {"Authorization: Bearer " + TOKEN + "0"},
                    new String[] {"Authorization: Basic " + java.util.Base64.getEncoder()
                            .encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8))})) {
                RawHttp.Response response = http.get(spelling, auth);
                assertThat(response.status()).as("GET %s %s -> %s", spelling, List.of(auth), response)
                        .isIn(400, 401);
            }
        }
        SENT_TOKENS.add(TOKEN.substring(0, TOKEN.length() - 1));
    }

    @ParameterizedTest
    @MethodSource("protectedPaths")
    void withTheTokenOnlyThePlainSpellingReachesAHandler(String path) throws Exception {
        String auth = "Authorization: Bearer " + TOKEN;
        for (String spelling : spellings(path)) {
            RawHttp.Response response = http.get(spelling, auth);
            if (spelling.equals(path)) {
                assertThat(response.status()).as("GET %s -> %s", spelling, response).isNotIn(400, 401);
            } else if (ambiguous(spelling)) {
                assertThat(response.status()).as("GET %s -> %s", spelling, response).isEqualTo(400);
                assertThat(response.contentType()).as("GET %s -> %s", spelling, response)
                        .startsWith("application/problem+json");
            } else {
                assertThat(response.status()).as("GET %s -> %s", spelling, response).isNotEqualTo(200);
            }
        }
    }

    @Test
    void thePlainPathsAnswerWithTheToken() throws Exception {
        for (String path : List.of("/api/v1/connections", "/api/v1/events", "/actuator", "/actuator/metrics")) {
            RawHttp.Response response = http.get(path, "Authorization: Bearer " + TOKEN);
            assertThat(response.status()).as("GET %s -> %s", path, response).isEqualTo(200);
        }
        assertThat(http.get("/api/v1/connections", "Authorization: Bearer " + TOKEN).body())
                .contains("github").doesNotContain(GITHUB_TOKEN).doesNotContain(GITHUB_SECRET);
    }

    @Test
    void onlyHealthWebhooksAndTheApiDocumentAreOpen() throws Exception {
        assertThat(http.get("/actuator/health").status()).isEqualTo(200);
        assertThat(http.get("/actuator/health/liveness").status()).isIn(200, 404);
        assertThat(http.get("/api-docs.html").status()).isEqualTo(200);
        assertThat(http.get("/openapi/switchboard-api.yaml").status()).isEqualTo(200);
        // Open means reaching the connection's own verification: an unsigned GitHub webhook is the connector's 401.
        RawHttp.Response unsigned = http.send("POST", "/webhooks/github", "{}".getBytes(StandardCharsets.UTF_8),
                "Content-Type: application/json", "X-GitHub-Event: workflow_run", "X-GitHub-Delivery: d-1");
        assertThat(unsigned.status()).as(unsigned.toString()).isEqualTo(401);
        assertThat(unsigned.body()).contains("signature");
        for (String closed : List.of("/", "/webhooks/github", "/favicon.ico", "/api", "/actuator/health/../info")) {
            assertThat(http.get(closed).status()).as("GET %s", closed).isIn(400, 401);
        }
        assertThat(http.send("PUT", "/webhooks/github", new byte[0]).status()).isEqualTo(401);
        assertThat(http.send("POST", "/actuator/health", new byte[0]).status()).isEqualTo(401);
    }

    @Test
    void errorAnswersAreProblemDetails() throws Exception {
        String auth = "Authorization: Bearer " + TOKEN;
        List<RawHttp.Response> answers = List.of(
                http.send("TRACE", "/api/v1/events", null, auth),
                http.send("TRACE", "/actuator/health", null),
                http.get("/api/v1/nothing-here", auth),
                http.send("DELETE", "/api/v1/events", null, auth),
                http.get("/api/v1/events?size=many", auth),
                http.get("/api/v1/events/not-a-number", auth),
                http.get("/api;x/v1/events"),
                http.get("/api/v1/events"),
                http.get("/webhooks/github", auth),
                http.send("POST", "/webhooks/github/extra", new byte[0], auth),
                http.send("POST", "/webhooks/", new byte[0], auth));
        for (RawHttp.Response answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isBetween(400, 499);
            assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
            assertThat(answer.body()).as(answer.toString()).contains("\"status\":" + answer.status())
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void theWebhookServletTakesOnlyAPostToOneConnectionName() throws Exception {
        String auth = "Authorization: Bearer " + TOKEN;
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            RawHttp.Response answer = http.send(method, "/webhooks/github", null, auth);
            assertThat(answer.status()).as("%s -> %s", method, answer).isEqualTo(405);
            assertThat(answer.headers().get("allow")).as(answer.toString()).isEqualTo("POST");
            assertThat(answer.body()).contains("method " + method + " is not supported");
        }
        for (String path : List.of("/webhooks/", "/webhooks/github/", "/webhooks/github/extra")) {
            RawHttp.Response answer = http.send("POST", path, "{}".getBytes(StandardCharsets.UTF_8), auth,
                    "Content-Type: application/json");
            assertThat(answer.status()).as("POST %s -> %s", path, answer).isEqualTo(404);
            assertThat(answer.body()).contains("/webhooks/{connection}");
        }
    }

    @Test
    void aHeaderWithANulByteIsRefusedAndNothingOfItIsLogged() throws Exception {
        // Tomcat quotes the line it cannot parse in its log: here, the one with the admin token.
        RawHttp.Response response = http.send("GET", "/api/v1/events", null,
                "Authorization: Bearer " + TOKEN + "\u0000");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        RawHttp.Response folded = http.send("GET", "/api/v1/events", null, "Authorization: Bearer " + TOKEN,
                "X-Trace: a\rb");
        assertThat(folded.status()).isEqualTo(400);
        RawHttp.Response badTarget = http.send("GET", "/api/v1/events?" + TOKEN + "=\u0001", null,
                "Authorization: Bearer " + TOKEN);
        assertThat(badTarget.status()).isEqualTo(400);
    }

    @Test
    void aTokenSentWhereAValueBelongsIsRefusedAndNotLogged() throws Exception {
        String auth = "Authorization: Bearer " + TOKEN;
        for (String target : List.of("/api/v1/events?size=" + TOKEN, "/api/v1/events/" + TOKEN,
                "/api/v1/events?from=" + TOKEN, "/api/v1/dead-letters/" + TOKEN + "/replay",
                "/api/v1/connections/" + TOKEN + "/check", "/api/v1/events?pageToken=" + TOKEN)) {
            boolean post = target.endsWith("replay") || target.endsWith("check");
            RawHttp.Response response = http.send(post ? "POST" : "GET", target, post ? new byte[0] : null, auth);
            assertThat(response.status()).as("%s -> %s", target, response).isBetween(400, 404);
        }
    }

    @Test
    void theConsoleLoginFormAndItsStylesheetAreItsOnlyOpenPaths() throws Exception {
        RawHttp.Response login = http.get("/console/login");
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.contentType()).startsWith("text/html");
        assertThat(login.body()).contains("name=\"token\"").contains("action=\"/console/login\"");
        assertThat(http.get("/console/assets/console.css").status()).isEqualTo(200);

        for (String page : List.of("/console", "/console/events", "/console/events/1", "/console/dead-letters/1",
                "/console/sync", "/console/connections", "/console/assets/console.js", "/console/nothing")) {
            RawHttp.Response response = http.get(page);
            assertThat(response.status()).as("GET %s -> %s", page, response).isEqualTo(303);
            assertThat(response.headers().get("location")).isEqualTo("/console/login");
        }
        for (String action : List.of("/console/dead-letters/1/replay", "/console/dead-letters/replay",
                "/console/sync/a-to-b/apply", "/console/connections/github/check", "/console/logout")) {
            assertThat(http.send("POST", action, new byte[0]).status()).as("POST %s", action).isEqualTo(401);
        }
        for (String spelling : spellings("/console/events")) {
            RawHttp.Response response = http.get(spelling);
            assertThat(response.status()).as("GET %s -> %s", spelling, response).isIn(303, 400, 401);
            if (response.status() == 303) {
                assertThat(response.headers().get("location")).isEqualTo("/console/login");
            }
        }
    }

    @Test
    void aConsoleSessionOpensTheConsoleOnlyNeverTheApi() throws Exception {
        String cookie = consoleLogin();

        RawHttp.Response events = http.get("/console/events", "Cookie: " + cookie);
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        assertThat(events.headers().get("content-security-policy")).contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(events.headers().get("x-frame-options")).isEqualTo("DENY");
        assertThat(events.body()).doesNotContain(TOKEN);
        for (String api : List.of("/api/v1/events", "/api/v1/dead-letters", "/actuator/prometheus", "/actuator")) {
            assertThat(http.get(api, "Cookie: " + cookie).status()).as("GET %s with a console session", api)
                    .isEqualTo(401);
        }
    }

    @Test
    void aWrongOrForgedConsoleCredentialIsRefused() throws Exception {
        RawHttp.Response wrong = http.send("POST", "/console/login", form("token=" + WRONG_TOKEN),
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.headers()).doesNotContainKey("set-cookie");
        assertThat(wrong.body()).doesNotContain(WRONG_TOKEN);

        RawHttp.Response inTheAddress = http.send("POST", "/console/login?token=" + TOKEN, form(""),
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(inTheAddress.status()).as("a token in the URL is refused even when right").isEqualTo(400);
        assertThat(inTheAddress.headers()).doesNotContainKey("set-cookie");

        String forged = "x".repeat(43);
        for (String cookie : List.of("switchboard_console=" + forged, "switchboard_console=" + TOKEN,
                "switchboard_console=", "switchboard_console=" + consoleLogin().split("=", 2)[1] + "A")) {
            RawHttp.Response response = http.get("/console/events", "Cookie: " + cookie);
            assertThat(response.status()).as("GET /console/events with %s", cookie).isEqualTo(303);
            assertThat(http.send("POST", "/console/dead-letters/replay", form("id=1"), "Cookie: " + cookie,
                    "Content-Type: application/x-www-form-urlencoded").status()).isEqualTo(401);
        }
    }

    @Test
    void consoleFormsNeedTheSessionsCsrfTokenAndLogoutEndsTheSession() throws Exception {
        String cookie = consoleLogin();
        String csrf = csrf(http.get("/console/dead-letters", "Cookie: " + cookie).body());
        String other = csrf(http.get("/console/dead-letters", "Cookie: " + consoleLogin()).body());
        String formType = "Content-Type: application/x-www-form-urlencoded";

        RawHttp.Response without = http.send("POST", "/console/dead-letters/replay", form("id=1"), "Cookie: " + cookie,
                formType);
        RawHttp.Response wrong = http.send("POST", "/console/dead-letters/replay", form("id=1&csrf=" + other),
                "Cookie: " + cookie, formType);
        RawHttp.Response logoutWithout = http.send("POST", "/console/logout", form(""), "Cookie: " + cookie, formType);
        RawHttp.Response right = http.send("POST", "/console/dead-letters/replay", form("id=999999&csrf=" + csrf),
                "Cookie: " + cookie, formType);

        assertThat(without.status()).isEqualTo(403);
        assertThat(without.contentType()).startsWith("application/problem+json");
        assertThat(wrong.status()).as("another session's token").isEqualTo(403);
        assertThat(logoutWithout.status()).isEqualTo(403);
        assertThat(right.status()).as(right.toString()).isEqualTo(200);
        assertThat(right.body()).contains("NOT_FOUND");

        RawHttp.Response logout = http.send("POST", "/console/logout", form("csrf=" + csrf), "Cookie: " + cookie,
                formType);
        assertThat(logout.status()).isEqualTo(303);
        assertThat(logout.headers().get("set-cookie")).contains("Max-Age=0");
        RawHttp.Response after = http.get("/console/events", "Cookie: " + cookie);
        assertThat(after.status()).as("the old cookie after logout").isEqualTo(303);
        assertThat(after.headers().get("location")).isEqualTo("/console/login");
    }

    @Test
    void aConsoleFormPostedFromAnotherSiteIsRefusedEvenWithTheRightCsrfToken() throws Exception {
        String cookie = consoleLogin();
        String csrf = csrf(http.get("/console/dead-letters", "Cookie: " + cookie).body());
        String formType = "Content-Type: application/x-www-form-urlencoded";
        byte[] form = form("id=999999&csrf=" + csrf);
        String self = "Origin: http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();

        for (String[] foreign : List.of(new String[] {"Origin: https://evil.example"}, new String[] {"Origin: ::"},
                new String[] {"Sec-Fetch-Site: cross-site"}, new String[] {"Sec-Fetch-Site: same-site"},
                new String[] {self, "Sec-Fetch-Site: cross-site"})) {
            List<String> headers = new ArrayList<>(List.of("Cookie: " + cookie, formType));
            headers.addAll(List.of(foreign));
            RawHttp.Response response = http.send("POST", "/console/dead-letters/replay", form,
                    headers.toArray(String[]::new));
            assertThat(response.status()).as("%s -> %s", List.of(foreign), response).isEqualTo(403);
            assertThat(response.body()).contains("another site");
        }
        RawHttp.Response sameOrigin = http.send("POST", "/console/dead-letters/replay", form, "Cookie: " + cookie,
                formType, self, "Sec-Fetch-Site: same-origin");
        // what a browser sends for the console's own form, its pages having Referrer-Policy: no-referrer
        RawHttp.Response ownForm = http.send("POST", "/console/dead-letters/replay", form, "Cookie: " + cookie,
                formType, "Origin: null", "Sec-Fetch-Site: same-origin");
        assertThat(sameOrigin.status()).as(sameOrigin.toString()).isEqualTo(200);
        assertThat(ownForm.status()).as(ownForm.toString()).isEqualTo(200);
    }

    @Test
    void aConsoleFilterValueIsEchoedAsTextAndABadOneIsA400() throws Exception {
        String cookie = "Cookie: " + consoleLogin();
        String hostile = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

        RawHttp.Response badTime = http.get("/console/events?from=" + hostile, cookie);
        RawHttp.Response badType = http.get("/console/events?type=" + hostile, cookie);
        RawHttp.Response badStatus = http.get("/console/deliveries?status=" + hostile, cookie);
        RawHttp.Response echoed = http.get("/console/events?subject=" + hostile, cookie);

        for (RawHttp.Response bad : List.of(badTime, badType, badStatus)) {
            assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
            assertThat(bad.body()).contains("class=\"notice error\"").contains("&lt;script&gt;alert(1)")
                    .doesNotContain("<script>alert");
        }
        assertThat(badTime.body()).contains("from: expected a UTC time");
        assertThat(echoed.status()).isEqualTo(200);
        assertThat(echoed.body()).contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\"")
                .doesNotContain("<script>alert");
    }

    /** Logs in to the console and returns the session cookie as {@code name=value}. */
    private static String consoleLogin() throws Exception {
        RawHttp.Response response = http.send("POST", "/console/login", form("token=" + TOKEN),
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(response.status()).as(response.toString()).isEqualTo(303);
        assertThat(response.headers().get("location")).isEqualTo("/console/events");
        String setCookie = response.headers().get("set-cookie");
        assertThat(setCookie).startsWith("switchboard_console=").contains("; Path=/console", "; HttpOnly",
                "; SameSite=Strict").doesNotContain("Secure").doesNotContain(TOKEN);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        SENT_TOKENS.add(cookie.substring(cookie.indexOf('=') + 1));
        return cookie;
    }

    private static String csrf(String page) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")
                .matcher(page);
        assertThat(matcher.find()).as("a CSRF field in the page").isTrue();
        SENT_TOKENS.add(matcher.group(1));
        return matcher.group(1);
    }

    private static byte[] form(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<String> codeInRouteText() {
        String probe = ConstructionProbe.class.getName();
        String route = """
                - route:
                    id: r
                    from:
                      uri: switchboard:events
                      steps:
                        - %s
                """;
        return Stream.of(
                """
                - beans:
                    - name: probe
                      type: %s
                """.formatted(probe),
                """
                - beans:
                    - name: probe
                      type: "#class:%s"
                      constructors:
                        0: x
                """.formatted(probe),
                route.formatted("to: \"switchboard:hub/tag-model-version?key=#class:" + probe + "\""),
                route.formatted("to:\n            uri: switchboard:hub/tag-model-version\n            parameters:\n"
                        + "              key: \"#class:" + probe + "\""),
                route.formatted("to: \"class:" + probe + "\""),
                route.formatted("to: \"bean:probe?method=create\""),
                route.formatted("bean:\n            beanType: " + probe),
                route.formatted("setBody:\n            method:\n              beanType: " + probe),
                route.formatted("setBody:\n            simple: \"${type:" + probe + ".NAME}\""),
                route.formatted("setBody:\n            simple: \"${bean:probe.create}\""),
                route.formatted("setBody:\n            simple: \"${camelContext.registry}\""),
                route.formatted("setBody:\n            simple: \"${env.HOME}\""),
                route.formatted("setBody:\n            groovy: \"new " + probe + "()\""),
                route.formatted("process:\n            ref: probe"),
                """
                - routeTemplate:
                    id: t
                    beans:
                      - name: probe
                        type: %s
                    from:
                      uri: direct:t
                      steps:
                        - log: x
                - templatedRoute:
                    routeTemplateRef: t
                """.formatted(probe),
                """
                apiVersion: camel.apache.org/v1
                kind: Integration
                spec:
                  flows:
                    - beans:
                        - name: probe
                          type: %s
                """.formatted(probe),
                "- !!%s []\n".formatted(probe),
                "- route: !!%s\n    id: x\n".formatted(probe));
    }

    @ParameterizedTest
    @MethodSource("codeInRouteText")
    void routeValidationCreatesNothingThatSubmittedTextNames(String yaml) throws Exception {
        int before = ProbeCounter.EVENTS.get();

        RawHttp.Response response = http.send("POST", "/api/v1/routes/validate", yaml.getBytes(StandardCharsets.UTF_8),
                "Authorization: Bearer " + TOKEN, "Content-Type: application/yaml");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.body()).as(yaml).contains("\"valid\":false");
        assertThat(ProbeCounter.EVENTS.get()).as("objects or classes created from " + yaml).isEqualTo(before);
    }

    @Test
    void routeValidationNeverTouchesAFileTheTextNames() throws Exception {
        Path victim = Files.writeString(directory.resolve("victim.txt"), "precious");

        RawHttp.Response response = http.send("POST", "/api/v1/routes/validate", """
                - beans:
                    - name: truncate
                      type: java.io.FileOutputStream
                      constructors:
                        0: "%s"
                """.formatted(victim).getBytes(StandardCharsets.UTF_8),
                "Authorization: Bearer " + TOKEN, "Content-Type: application/yaml");

        assertThat(response.body()).contains("\"valid\":false").contains("beans");
        assertThat(Files.readString(victim)).isEqualTo("precious");
    }

    @Test
    void deeplyNestedOrAliasBombTextIsAProblemNotAFailure() throws Exception {
        String nested = "[".repeat(20_000) + "]".repeat(20_000);
        String bomb = """
                - route: &a
                    id: [*a, *a, *a]
                """;
        for (String yaml : List.of(nested, bomb, "- route: {id: [unclosed\n")) {
            RawHttp.Response response = http.send("POST", "/api/v1/routes/validate",
                    yaml.getBytes(StandardCharsets.UTF_8), "Authorization: Bearer " + TOKEN,
                    "Content-Type: application/yaml");
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).contains("\"valid\":false");
        }
    }

    static Stream<Arguments> badGitHubWebhooks() {
        String ok = "2024-05-01T10:15:30Z";
        return Stream.of(
                Arguments.of("a 600-character delivery id", "d".repeat(600),
                        workflowRun("30433642", ok, "o/r")),
                Arguments.of("a time in the year 1,000,000,000", "d-year",
                        workflowRun("30433642", "+1000000000-01-01T00:00:00Z", "o/r")),
                Arguments.of("a fractional run id", "d-frac",
                        workflowRun("1.5", ok, "o/r")),
                Arguments.of("a run id beyond a long", "d-long",
                        workflowRun("123456789012345678901234567890", ok, "o/r")),
                Arguments.of("a repository name longer than a subject holds",
                        "d-repo", workflowRun("30433642", ok, "o/" + "r".repeat(1100))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badGitHubWebhooks")
    void aSignedWebhookWithAValueTheHubCannotHoldIsA400AndStoresNothing(String what, String delivery, String body)
            throws Exception {
        String auth = "Authorization: Bearer " + TOKEN;
        String before = http.get("/api/v1/events?source=github&size=500", auth).body();

        RawHttp.Response response = sendGitHub("workflow_run", delivery, body);

        assertThat(response.status()).as(what + " -> " + response).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        RawHttp.Response events = http.get("/api/v1/events?source=github&size=500", auth);
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).isEqualTo(before);
    }

    @Test
    void aVerifiedGitHubEventWithoutARepositoryIsAcknowledgedAndIgnored() throws Exception {
        RawHttp.Response response = sendGitHub("organization",
                "d-org", "{\"action\":\"member_added\",\"organization\":{\"login\":\"acme\"}}");

        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(response.body()).contains("\"stored\":0").contains("ignored");
    }

    private static RawHttp.Response sendGitHub(String event, String delivery, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(GITHUB_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(bytes));
        return http.send("POST", "/webhooks/github", bytes, "Content-Type: application/json",
                "X-GitHub-Event: " + event, "X-GitHub-Delivery: " + delivery, "X-Hub-Signature-256: " + signature);
    }

    private static String workflowRun(String id, String updatedAt, String repository) {
        return """
                {"action":"completed","workflow_run":{"id":%s,"name":"deploy","path":".github/workflows/deploy.yml",
                 "status":"completed","conclusion":"success","head_branch":"main","head_sha":"3484a3f",
                 "html_url":"https://github.com/o/r/actions/runs/1","run_started_at":"2024-05-01T10:00:00Z",
                 "updated_at":"%s"},"repository":{"full_name":"%s"},"sender":{"login":"octocat"}}"""
                .formatted(id, updatedAt, repository);
    }

    /** The spellings an attacker tries for {@code path}; every one must be refused without the token. */
    private static List<String> spellings(String path) {
        Set<String> spellings = new LinkedHashSet<>();
        spellings.add(path);
        spellings.add(path + "/");
        spellings.add(path.toUpperCase(Locale.ROOT));
        spellings.add(path.substring(0, 1) + Character.toUpperCase(path.charAt(1)) + path.substring(2));
        int firstEnd = path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1);
        String first = path.substring(0, firstEnd);
        String rest = path.substring(firstEnd);
        spellings.add(first + ";x" + rest);
        spellings.add(first + ";jsessionid=1" + rest);
        spellings.add(path + ";x");
        spellings.add(first + "%3Bx" + rest);
        spellings.add("/" + path);
        spellings.add(first + "/" + rest);
        spellings.add("/." + path);
        spellings.add("/webhooks/.." + path);
        spellings.add("/webhooks/github/../.." + path);
        spellings.add("/actuator/health/.." + path);
        spellings.add("/actuator/health/..;" + path);
        spellings.add("/actuator/health/%2e%2e" + path);
        spellings.add("/actuator/health/%2E%2E" + path);
        spellings.add("/actuator/health%2F..%2F.." + path);
        spellings.add("/actuator/health/..%2f.." + path);
        spellings.add("/actuator/health\\..\\.." + path);
        spellings.add(path.replace("/", "%2F"));
        spellings.add("/%2561" + path.substring(2));
        spellings.add("/%25" + Integer.toHexString(path.charAt(1)) + path.substring(2));
        spellings.add("/%u0061" + path.substring(2));
        spellings.add("http://127.0.0.1" + path);
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isLetter(c)) {
                String hex = Integer.toHexString(c);
                spellings.add(path.substring(0, i) + "%" + hex + path.substring(i + 1));
                spellings.add(path.substring(0, i) + "%" + hex.toUpperCase(Locale.ROOT) + path.substring(i + 1));
            }
        }
        return List.copyOf(spellings);
    }

    private static boolean ambiguous(String spelling) {
        return spelling.contains("%") || spelling.contains(";") || spelling.contains("//") || spelling.contains("\\")
                || spelling.contains("/.") || spelling.startsWith("http:");
    }
}
