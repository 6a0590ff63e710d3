package dev.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.webhook.StandardWebhooks;
import dev.switchboard.spi.WebhookRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 4, crash safety: the hub runs as a child JVM on an H2 file database, receives a burst of signed webhooks
 * from several sender threads, and is killed with SIGKILL in the middle of the burst {@value #KILLS} times, each time
 * restarted on the same data directory. The delivery target (an HTTP server in this JVM, reached through the outbound
 * {@code webhook} connector) outlives every kill.
 *
 * <p>What is proven, after the outbox has drained:
 * <ul>
 *   <li><b>A 2xx webhook is durable.</b> Every webhook the hub acknowledged reached the target (its event id, which
 *       is the inbound {@code webhook-id}, arrived there). Webhooks that got no 2xx (the hub was down, or died
 *       mid-request) are sent again by the sender with the same {@code webhook-id}, as real senders do, until each is
 *       acknowledged; the inbox de-duplicates by that id.</li>
 *   <li><b>At-least-once with one idempotency key per action, so a target that honours keys sees each once.</b>
 *       Delivery is at-least-once: a kill after the target answered 2xx but before the engine committed DELIVERED
 *       leaves the claim to expire, and the restarted engine performs the delivery again with the same key. That
 *       redelivery is legitimate, so the target records raw receipts per {@code webhook-id} and, like a target that
 *       honours keys, processes only the first receipt of each key. The test asserts that no key is missing, that
 *       the distinct keys equal the accepted webhooks (one key per event, never a fresh key for a retry), that the
 *       processed set holds each key exactly once, and that raw duplicates stay within what the kills can explain:
 *       at most {@value #KILLS} kills x {@value #WORKERS} delivery workers (one in-flight delivery per worker per
 *       kill). The duplicates seen are reported.</li>
 *   <li>No delivery is dead-lettered, every outbound request is correctly signed, and no secret or token appears in
 *       the hub's output or in any API response fetched.</li>
 * </ul>
 * The child's output is kept under {@code target/crash-safety-it/} for debugging (and, when the outbox does not
 * drain, a thread dump of the hub).
 *
 * <p>This test found that the embedded H2 database kept commits in memory for up to 500 ms ({@code WRITE_DELAY}):
 * a SIGKILL lost webhooks already answered 2xx (53 of 1,200 in one run) and left a half-persisted transaction
 * whose row lock stalled the route's cursor after the restart. The default datasource URL now sets
 * {@code WRITE_DELAY=0}.
 */
class CrashSafetyIT {

    private static final int WEBHOOKS = 1_200;
    private static final int SENDERS = 4;
    private static final int KILLS = 3;
    private static final int WORKERS = 4;
    private static final Duration BURST_LIMIT = Duration.ofSeconds(150);
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(60);

    private static final String TOKEN = "crash-safety-admin-token-7f3a9c";
    private static final String INBOUND_SECRET = ChildHub.secret("crash-inbound-signing-key-32byte");
    private static final String OUTBOUND_SECRET = ChildHub.secret("crash-outbound-signing-key-32byt");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = ChildHub.httpClient();
    private final List<String> apiResponses = new ArrayList<>();
    private ChildHub hub;
    private HttpServer target;
    private ExecutorService targetThreads;

    /** What the target received: raw receipts per idempotency key, and the keys it processed (first receipt). */
    private final Map<String, AtomicInteger> receiptsByKey = new ConcurrentHashMap<>();
    private final Map<String, String> eventIdByKey = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> processed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger badSignatures = new AtomicInteger();

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (hub != null && hub.alive()) {
            hub.kill();
        }
        if (target != null) {
            target.stop(0);
            targetThreads.shutdownNow();
        }
    }

    @Test
    void everyAcknowledgedWebhookReachesTheTargetOnceByKeyDespiteRepeatedSigkills() throws Exception {
        long began = System.nanoTime();
        Path work = Files.createDirectories(Path.of("target", "crash-safety-it").toAbsolutePath())
                .resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(work);
        int targetPort = startTarget();
        Path config = writeConfig(work, targetPort);
        int port = ChildHub.freePort();
        String base = "http://127.0.0.1:" + port;

        List<Path> logs = new ArrayList<>();
        hub = startHub(work, config, port, 1, logs);
        awaitReady(base);

        // The burst: SENDERS threads send WEBHOOKS distinct webhooks, resending any that got no 2xx.
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        // When each webhook was acknowledged and when each kill came: a lost one then names the hub that answered it.
        Map<Integer, Long> acknowledgedAt = new ConcurrentHashMap<>();
        List<Long> killedAt = new ArrayList<>();
        ConcurrentLinkedQueue<Integer> toResend = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicLong failedSends = new AtomicLong();
        long deadline = System.nanoTime() + BURST_LIMIT.toNanos();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        for (int s = 0; s < SENDERS; s++) {
            senders.submit(() -> {
                while (acknowledged.size() < WEBHOOKS && System.nanoTime() < deadline) {
                    Integer n = toResend.poll();
                    if (n == null) {
                        int fresh = next.getAndIncrement();
                        if (fresh >= WEBHOOKS) {
                            pause(20);
                            continue;
                        }
                        n = fresh;
                    }
                    if (send(base, n)) {
                        acknowledgedAt.put(n, System.nanoTime());
                        acknowledged.add(n);
                    } else {
                        failedSends.incrementAndGet();
                        toResend.add(n);
                        pause(100);
                    }
                }
                return null;
            });
        }

        List<Integer> exitCodes = new ArrayList<>();
        for (int kill = 1; kill <= KILLS; kill++) {
            int threshold = kill * WEBHOOKS / (KILLS + 1);
            while (acknowledged.size() < threshold && System.nanoTime() < deadline) {
                pause(5);
            }
            assertThat(acknowledged.size()).as("acknowledged before kill %d", kill).isGreaterThanOrEqualTo(threshold);
            killedAt.add(System.nanoTime());
            exitCodes.add(hub.kill());
            hub = startHub(work, config, port, kill + 1, logs);
            awaitReady(base);
        }

        senders.shutdown();
        assertThat(senders.awaitTermination(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L) + 5,
                TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("every webhook is eventually acknowledged").hasSize(WEBHOOKS);
        assertThat(exitCodes).as("SIGKILL ends a JVM with 128 + 9").containsOnly(137);

        awaitDrained(base, work);

        // (a) no key is missing: every acknowledged webhook's event arrived at the target
        Set<String> deliveredEventIds = Set.copyOf(eventIdByKey.values());
        List<String> missing = acknowledged.stream().map(CrashSafetyIT::webhookId)
                .filter(id -> !deliveredEventIds.contains(id)).sorted().toList();
        assertThat(missing).as("acknowledged webhooks never delivered (%s)",
                whoAcknowledged(missing, acknowledgedAt, killedAt)).isEmpty();
        // (b) one idempotency key per accepted webhook: retries reuse the key
        assertThat(receiptsByKey).hasSize(WEBHOOKS);
        assertThat(deliveredEventIds).hasSize(WEBHOOKS);
        // the target honours keys: it processed each key exactly once
        assertThat(processed).hasSize(WEBHOOKS).doesNotHaveDuplicates();
        // (c) redeliveries are only those a kill between the target's 2xx and the commit can explain
        int duplicates = receiptsByKey.values().stream().mapToInt(count -> count.get() - 1).sum();
        assertThat(duplicates).as("raw receipts beyond the first per key").isLessThanOrEqualTo(KILLS * WORKERS);
        assertThat(badSignatures).hasValue(0);

        assertThat(countDeliveries(base, "DELIVERED")).isEqualTo(WEBHOOKS);
        assertThat(countDeliveries(base, "DEAD")).isZero();
        assertThat(getApi(base, "/api/v1/dead-letters?size=10").path("items")).isEmpty();

        hub.stop();
        assertNoSecretsIn(logs);

        System.out.printf("CrashSafetyIT: %d webhooks acknowledged (%d sends refused or failed and were resent), "
                        + "%d kills (exit codes %s), %d duplicate receipts, %d distinct keys, %.1f s%n",
                acknowledged.size(), failedSends.get(), KILLS, exitCodes, duplicates, receiptsByKey.size(),
                (System.nanoTime() - began) / 1e9);
    }

    // --- the hub as a child JVM -------------------------------------------------------------------------------

    private static Path writeConfig(Path work, int targetPort) throws IOException {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("forward.camel.yaml"), """
                - route:
                    id: forward-to-target
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                      steps:
                        - to: switchboard:target/send-event
                """);
        return Files.writeString(work.resolve("switchboard.yaml"), """
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
                    workers: %d
                    lease: 5s
                  connections:
                    source:
                      type: std-webhook-test
                      options:
                        secret: %s
                    target:
                      type: webhook
                      options:
                        url: http://127.0.0.1:%d/hooks
                        secret: %s
                        timeout: 3s
                """.formatted(TOKEN, routes, WORKERS, INBOUND_SECRET, targetPort, OUTBOUND_SECRET));
    }

    private static ChildHub startHub(Path work, Path config, int port, int start, List<Path> logs)
            throws IOException {
        ChildHub started = ChildHub.start("hub-" + start, work, config, port, "384m",
                List.of("--switchboard.data-dir=" + work.resolve("data")));
        logs.add(started.log());
        return started;
    }

    /** Ready when the route consuming the inbox has started (so it has subscribed before the first webhook). */
    private void awaitReady(String base) throws Exception {
        hub.awaitReady(http, TOKEN, START_LIMIT);
        getApi(base, "/api/v1/routes"); // kept with the responses checked for secrets
    }

    private void awaitDrained(String base, Path work) throws Exception {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            double open = gauge(base, "switchboard.outbox.depth", "status:pending")
                    + gauge(base, "switchboard.outbox.depth", "status:in_flight")
                    + gauge(base, "switchboard.inbox.backlog", null);
            if (open == 0 && processed.size() >= WEBHOOKS) {
                return;
            }
            pause(250);
        }
        Path threads = hub.dumpThreads();
        throw new AssertionError("outbox not drained within " + DRAIN_LIMIT + ": target processed " + processed.size()
                + ", outbox pending " + gauge(base, "switchboard.outbox.depth", "status:pending") + ", in flight "
                + gauge(base, "switchboard.outbox.depth", "status:in_flight") + ", route executions unfinished "
                + gauge(base, "switchboard.inbox.backlog", null) + "; the hub's threads are in " + threads);
    }

    /** For each lost webhook, which start of the hub answered it 2xx and how long before that start was killed. */
    private static String whoAcknowledged(List<String> missing, Map<Integer, Long> acknowledgedAt, List<Long> killedAt) {
        List<String> lines = new ArrayList<>();
        for (String id : missing) {
            long at = acknowledgedAt.get(Integer.parseInt(id.substring("msg_crash_".length())));
            int start = 1;
            while (start <= killedAt.size() && killedAt.get(start - 1) < at) {
                start++;
            }
            lines.add(id + " by hub-" + start + (start <= killedAt.size()
                    ? ", " + (killedAt.get(start - 1) - at) / 1_000_000 + " ms before its kill" : ", never killed"));
        }
        return String.join("; ", lines);
    }

    private double gauge(String base, String name, String tag) throws Exception {
        JsonNode metric = getApi(base, "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag));
        return metric.path("measurements").get(0).path("value").asDouble();
    }

    private long countDeliveries(String base, String status) throws Exception {
        long count = 0;
        String page = null;
        for (int guard = 0; guard < 100; guard++) {
            JsonNode answer = getApi(base, "/api/v1/deliveries?connection=target&status=" + status + "&size=100"
                    + (page == null ? "" : "&pageToken=" + page));
            count += answer.path("items").size();
            page = answer.path("nextPageToken").isString() ? answer.path("nextPageToken").asString() : null;
            if (page == null) {
                return count;
            }
        }
        throw new AssertionError("too many pages of deliveries");
    }

    private JsonNode getApi(String base, String path) throws Exception {
        HttpResponse<String> response = http.send(api(base, path).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        apiResponses.add(response.body());
        return JSON.readTree(response.body());
    }

    private static HttpRequest.Builder api(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN);
    }

    private void assertNoSecretsIn(List<Path> logs) throws IOException {
        for (Path log : logs) {
            String output = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertThat(output).as("hub output %s", log.getFileName()).isNotEmpty()
                    .doesNotContain(INBOUND_SECRET).doesNotContain(OUTBOUND_SECRET).doesNotContain(TOKEN)
                    .doesNotContain(INBOUND_SECRET.substring(6)).doesNotContain(OUTBOUND_SECRET.substring(6));
        }
        assertThat(apiResponses).isNotEmpty().allSatisfy(body -> assertThat(body)
                .doesNotContain(INBOUND_SECRET.substring(6)).doesNotContain(OUTBOUND_SECRET.substring(6))
                .doesNotContain(TOKEN));
    }

    // --- the sender and the target ----------------------------------------------------------------------------

    private static String webhookId(int n) {
        return "msg_crash_" + n;
    }

    /** Sends webhook {@code n} (same id and body every time, freshly signed); true when the hub answered 2xx. */
    private boolean send(String base, int n) {
        return ChildHub.sendSigned(http, base, "source", INBOUND_SECRET, webhookId(n),
                ("{\"type\":\"model_version.alias_set\",\"model\":\"m" + n + "\",\"version\":\"1\","
                        + "\"alias\":\"champion\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** The delivery target: verifies the signature, records each receipt, processes a key only the first time. */
    private int startTarget() throws IOException {
        StandardWebhooks verifier = new StandardWebhooks(OUTBOUND_SECRET);
        targetThreads = Executors.newFixedThreadPool(8);
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        target.setExecutor(targetThreads);
        target.createContext("/hooks", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                headers.putAll(exchange.getRequestHeaders());
                String key = exchange.getRequestHeaders().getFirst("webhook-id");
                try {
                    verifier.verify(new WebhookRequest("target", headers, body, Instant.now()));
                } catch (RuntimeException e) {
                    badSignatures.incrementAndGet();
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String eventId = JSON.readTree(body).path("id").asString();
                receiptsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                if (eventIdByKey.putIfAbsent(key, eventId) == null) {
                    processed.add(key);
                }
                exchange.sendResponseHeaders(204, -1);
            }
        });
        target.start();
        return target.getAddress().getPort();
    }

    private static void pause(long millis) {
        ChildHub.pause(millis);
    }
}
