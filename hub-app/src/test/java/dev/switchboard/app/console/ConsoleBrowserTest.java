package dev.switchboard.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.HubRunner;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.webhook.StandardWebhooks;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The console in a real browser (headless Chromium), as an operator uses it, on a hub running the demo's flow with
 * hub-core's test connectors standing in for the tools (a Standard Webhooks source as {@code mlflow-prod}, a scripted
 * action target as {@code github-deploy}, in-memory registries for sync): a webhook says a model version became
 * champion, and the route dispatches a deploy. An operator logs
 * in, finds the events, follows the failed deploy to its dead letter, replays it once CI is fixed and watches it get
 * delivered, plans and applies a registry sync, and checks a connection. Each page is saved as a screenshot
 * ({@code target/console-screenshots}, or the directory in {@code -Dswitchboard.console.screenshots}; the README's
 * come from {@code docs/console}).
 *
 * <p>The tests run in order and share the browser and the hub: each continues where the previous one left the
 * operator. Waits are for a state of the page, with a deadline; the console refreshes its lists every few seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final String TOKEN = "console-browser-admin-token";
    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("console-browser-signing-key-32by".getBytes(StandardCharsets.UTF_8));
    private static final String HOSTILE_SUBJECT = "models/<script>document.title='owned'</script>/versions/1";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static String base;
    private static ChromeDriver browser;
    private static Path screenshots;

    @BeforeAll
    static void startHubAndBrowser() throws Exception {
        ScriptedActionConnector.reset();
        InMemoryRegistryConnector.reset();
        InMemoryRegistry source = InMemoryRegistryConnector.registry("registry-a");
        addVersion(source, "churn", 1);
        addVersion(source, "churn", 2);
        addVersion(source, "fraud", 1);
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("deploy.camel.yaml"), """
                - route:
                    id: champion-to-deploy
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                        source: mlflow-prod
                      steps:
                        - filter:
                            expression:
                              simple:
                                expression: "${body.data.alias} == 'champion'"
                            steps:
                              - to: switchboard:github-deploy/run?workflow=deploy.yml
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
                    max-attempts: 2
                    poll-interval: 100ms
                  connections:
                    mlflow-prod:
                      type: std-webhook-test
                      options:
                        secret: %s
                    github-deploy:
                      type: scripted
                    registry-a:
                      type: in-memory-registry
                    registry-b:
                      type: in-memory-registry
                  sync-jobs:
                    a-to-b:
                      source: registry-a
                      target: registry-b
                      selection:
                        models: ["churn*"]
                """.formatted(TOKEN, routes, SECRET), null);
        base = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();
        String configured = System.getProperty("switchboard.console.screenshots");
        screenshots = Files.createDirectories(configured == null || configured.isBlank()
                ? Path.of("target", "console-screenshots") : Path.of(configured));
        browser = HeadlessChromium.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    @Order(1)
    void theConsoleAsksForTheTokenAndLetsTheOperatorInWithIt() throws Exception {
        browser.get(base + "/console/dead-letters");

        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/login");
        screenshot("login");
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        navigate(() -> browser.findElement(By.id("login")).click());
        assertThat(browser.findElement(By.id("login-error")).getText()).contains("not the hub's admin token");

        browser.findElement(By.id("token")).sendKeys(TOKEN);
        navigate(() -> browser.findElement(By.id("login")).click());

        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/events");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Events");
        Cookie session = browser.manage().getCookieNamed(ConsoleSessions.COOKIE);
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getPath()).isEqualTo("/console");
        assertThat(session.getValue()).doesNotContain(TOKEN);
        assertThat(browser.getCurrentUrl() + browser.getPageSource()).doesNotContain(TOKEN);
    }

    @Test
    @Order(2)
    void theDemosEventsAppearWithoutReloadingAndAHostileSubjectIsShownAsText() throws Exception {
        ScriptedActionConnector.script("github-deploy").failPermanently();
        browser.get(base + "/console/events");

        assertThat(sendWebhook(aliasBody("churn", "1", "champion"))).isEqualTo(202);
        assertThat(sendWebhook(aliasBody("churn", "2", "challenger"))).isEqualTo(202);
        hub.getBean(Store.class).inbox().append(List.of(new CanonicalEvent("hostile-1",
                CanonicalEvent.sourceOf("mlflow-prod"), EventType.MODEL_VERSION_ALIAS_SET, HOSTILE_SUBJECT,
                Instant.now(), new AliasChange("churn", "staging", "1",
                        ResourceRef.of("test", "mlflow-prod", "registered_model", "churn")))));

        // The page was loaded before the events came in: the live refresh brings them.
        wait(PATIENCE).until(driver -> subjects().containsAll(List.of("models/churn/versions/1",
                "models/churn/versions/2", HOSTILE_SUBJECT)));
        assertThat(browser.getTitle()).as("no script from an event ran").doesNotContain("owned");
        assertThat(browser.findElements(By.cssSelector("main script"))).isEmpty();
        assertThat(browser.getPageSource()).contains("&lt;script&gt;document.title");
        // The route's only step is dead-lettered (the target fails permanently): the event says so, not DONE.
        wait(PATIENCE).until(driver -> rowOf("models/churn/versions/1").getText()
                .contains("champion-to-deploy DEAD@step1"));
        wait(PATIENCE).until(driver -> rowOf("models/churn/versions/2").getText()
                .contains("champion-to-deploy FILTERED"));
        screenshot("events");

        browser.findElement(By.name("subject")).sendKeys("models/churn/versions/1");
        navigate(() -> browser.findElement(By.cssSelector("#event-filters button[type=submit]")).click());
        eventually(() -> assertThat(subjects()).containsExactly("models/churn/versions/1"));

        navigate(() -> click(() -> rowOf("models/churn/versions/1").findElement(By.tagName("a"))));
        assertThat(browser.findElement(By.id("cloud-event")).getText())
                .contains("\"type\" : \"dev.switchboard.model_version.alias_set\"", "\"alias\" : \"champion\"");
        eventually(() -> assertThat(browser.findElement(By.id("outcomes")).getText())
                .contains("champion-to-deploy", "DEAD@step1"));
        screenshot("event");
    }

    @Test
    @Order(3)
    void theFailedDeployIsADeadLetterThatAReplayDeliversOnceCiIsFixed() throws Exception {
        browser.get(base + "/console/deliveries");
        wait(PATIENCE).until(driver -> browser.findElement(By.id("delivery-rows")).getText().contains("DEAD"));
        eventually(() -> assertThat(browser.findElement(By.id("breakers")).getText()).contains("github-deploy"));
        screenshot("deliveries");

        browser.get(base + "/console/dead-letters");
        By row = By.cssSelector("#dead-letter-rows tr[data-id]");
        wait(PATIENCE).until(driver -> browser.findElement(row).getText().contains("github-deploy")
                && browser.findElement(row).getText().contains("unknown workflow"));
        screenshot("dead-letters");
        navigate(() -> click(() -> browser.findElement(row).findElement(By.tagName("a"))));
        eventually(() -> {
            assertThat(browser.findElement(By.id("delivery-status")).getText()).isEqualTo("DEAD");
            assertThat(browser.findElement(By.id("attempts")).getText()).contains("FAILED", "unknown workflow");
        });
        screenshot("dead-letter");

        ScriptedActionConnector.script("github-deploy").succeed();
        navigate(() -> browser.findElement(By.id("replay")).click());

        assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Replay: REPLAYED");
        wait(PATIENCE).until(driver -> browser.findElement(By.id("delivery-status")).getText().equals("DELIVERED"));
        assertThat(browser.findElements(By.id("replay"))).as("a replayed dead letter offers no second replay")
                .isEmpty();
        eventually(() -> assertThat(browser.findElement(By.id("attempts")).getText()).contains("DELIVERED"));
        screenshot("dead-letter-replayed");

        // The delivered step lets the route's execution finish: the event now says DONE.
        browser.get(base + "/console/events");
        wait(PATIENCE).until(driver -> rowOf("models/churn/versions/1").getText().contains("champion-to-deploy DONE"));
    }

    @Test
    @Order(4)
    void aSyncPlanShowsEachObjectsOutcomeAndAnApplyAsksFirst() {
        browser.get(base + "/console/sync");
        navigate(() -> browser.findElement(By.id("plan-a-to-b")).click());

        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Plan ");
        eventually(() -> {
            assertThat(browser.findElement(By.id("run-status")).getText()).isEqualTo("COMPLETED");
            assertThat(browser.findElement(By.id("sync-outcomes")).getText()).contains("CREATED")
                    .doesNotContain("fraud");
        });
        assertThat(browser.findElement(By.id("not-selected")).getText())
                .isEqualTo("1 version(s) not selected (1 model matches none of [churn*])");
        assertThat(InMemoryRegistryConnector.registry("registry-b").writes()).as("a plan writes nothing").isZero();
        screenshot("sync-plan");

        browser.get(base + "/console/sync");
        browser.findElement(By.id("apply-a-to-b")).click();
        wait(PATIENCE).until(ExpectedConditions.alertIsPresent()).dismiss();
        assertThat(browser.getCurrentUrl()).as("dismissing the question sends nothing").isEqualTo(base + "/console/sync");

        navigate(() -> {
            browser.findElement(By.id("apply-a-to-b")).click();
            wait(PATIENCE).until(ExpectedConditions.alertIsPresent()).accept();
        });
        wait(PATIENCE).until(driver -> browser.findElement(By.id("runs")).getText().contains("APPLY COMPLETED"));
        assertThat(InMemoryRegistryConnector.registry("registry-b").versionCount()).isEqualTo(2);
        screenshot("sync-job");
    }

    @Test
    @Order(5)
    void aConnectionShowsItsCapabilitiesAndPluginAndCanBeChecked() {
        browser.get(base + "/console/connections");
        eventually(() -> assertThat(browser.findElement(By.cssSelector("tr[data-connection=registry-a]")).getText())
                .contains("in-memory-registry", "MODEL_REGISTRY", "CLOSED"));

        navigate(() -> browser.findElement(By.id("check-mlflow-prod")).click());

        assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Check of mlflow-prod: OK");
        screenshot("connections");
    }

    @Test
    @Order(6)
    void afterLogoutTheConsoleIsClosedAgain() {
        browser.get(base + "/console/events");
        navigate(() -> browser.findElement(By.id("logout")).click());

        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/login");
        browser.get(base + "/console/events");
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/console/login");
    }

    /**
     * Does what leads to another page, and returns once that page has loaded. The old page is told apart from the
     * new one by a mark left in its window, not by an element going stale: Chromium may answer a question about an
     * element of a page being torn down with "Node with given id does not belong to the document", an error that is
     * not a staleness. Scripts run while the page changes may fail the same way; the wait asks again.
     */
    private static void navigate(Runnable action) {
        String mark = UUID.randomUUID().toString();
        browser.executeScript("window.switchboardTestMark = arguments[0]", mark);
        action.run();
        wait(PATIENCE).until(driver -> Boolean.TRUE.equals(browser.executeScript(
                "return window.switchboardTestMark !== arguments[0] && document.readyState === 'complete'", mark)));
    }

    /** Asserts on parts of the page the live refresh replaces: asked again until it holds or the deadline. */
    private static void eventually(Runnable assertion) {
        wait(PATIENCE).until(driver -> {
            assertion.run();
            return true;
        });
    }

    /** Clicks an element of a list the live refresh may replace meanwhile: found again until a click lands. */
    private static void click(Supplier<WebElement> element) {
        wait(PATIENCE).until(driver -> {
            element.get().click();
            return true;
        });
    }

    private static List<String> subjects() {
        return browser.findElements(By.cssSelector("#events-rows td.subject")).stream().map(WebElement::getText)
                .toList();
    }

    private static WebElement rowOf(String subject) {
        return browser.findElements(By.cssSelector("#events-rows tr")).stream()
                .filter(row -> row.findElements(By.cssSelector("td.subject")).stream()
                        .anyMatch(cell -> cell.getText().equals(subject)))
                .findFirst().orElseThrow(() -> new AssertionError("no event row for " + subject));
    }

    private static WebDriverWait wait(Duration deadline) {
        WebDriverWait wait = new WebDriverWait(browser, deadline, Duration.ofMillis(200));
        // Stale elements and Chromium's "does not belong to the document": the live refresh replaced a row.
        wait.ignoring(WebDriverException.class);
        wait.ignoring(AssertionError.class);
        return wait;
    }

    private static void screenshot(String name) {
        try {
            Files.write(screenshots.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String aliasBody(String model, String version, String alias) {
        return "{\"type\":\"model_version.alias_set\",\"model\":\"%s\",\"version\":\"%s\",\"alias\":\"%s\"}"
                .formatted(model, version, alias);
    }

    private static int sendWebhook(String body) throws Exception {
        String id = "msg_" + UUID.randomUUID();
        Instant now = Instant.now();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = new StandardWebhooks(SECRET, StandardWebhooks.DEFAULT_TOLERANCE).sign(id, now, bytes);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/webhooks/mlflow-prod"))
                        .header("Content-Type", "application/json").header("webhook-id", id)
                        .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                        .header("webhook-signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void addVersion(InMemoryRegistry registry, String model, int n) {
        // The same versions SyncApiTest seeds its source registry with.
        URI artifact = URI.create("mem://registry-a/" + model + "/" + n + "/model.bin");
        registry.putArtifact(artifact, ("weights " + model + n).getBytes(StandardCharsets.UTF_8));
        registry.createVersion(new ModelVersion(ResourceRef.of(InMemoryRegistry.SYSTEM, "registry-a", "model_version",
                model + "/new"), model, "new", "v" + n, null, ArtifactRef.of(artifact), Set.of(), null, null,
                Map.of("n", String.valueOf(n)), null, null, null, null), "seed-" + model + "-" + n);
    }
}
