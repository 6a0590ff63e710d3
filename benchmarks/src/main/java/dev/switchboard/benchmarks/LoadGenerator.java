package dev.switchboard.benchmarks;

import dev.switchboard.core.webhook.StandardWebhooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends signed Standard Webhooks ({@code model_version.alias_set}, model {@code qq<n>qq}) over loopback: a bounded
 * closed loop (N threads, fixed count) for maximum throughput, or an open loop paced at a fixed rate for latency.
 */
final class LoadGenerator implements AutoCloseable {

    private final ExecutorService httpExecutor = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(httpExecutor).build();
    private final StandardWebhooks signer;

    LoadGenerator(String secret) {
        this.signer = new StandardWebhooks(secret, StandardWebhooks.DEFAULT_TOLERANCE);
    }

    static String body(int seq) {
        return "{\"type\":\"model_version.alias_set\",\"model\":\"qq" + seq + "qq\",\"version\":\"1\","
                + "\"alias\":\"champion\"}";
    }

    HttpRequest request(URI url, int seq) {
        String id = "msg_bench_" + seq + "_" + Long.toHexString(System.nanoTime());
        byte[] bytes = body(seq).getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        return HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                .header("webhook-signature", signer.sign(id, now, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }

    /** What a closed-loop run saw. */
    record Closed(long startNanos, long endNanos, int ok, int failed) {
        double perSecond() {
            return ok / ((endNanos - startNanos) / 1e9);
        }
    }

    /** Sends {@code count} webhooks with sequence numbers from {@code from}, {@code threads} at a time. */
    Closed closedLoop(URI url, int from, int count, int threads) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int seq = next.getAndIncrement(); seq < from + count; seq = next.getAndIncrement()) {
                    try {
                        int status = client.send(request(url, seq), HttpResponse.BodyHandlers.discarding()).statusCode();
                        (status / 100 == 2 ? ok : failed).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
            pool.shutdownNow();
        }
        return new Closed(start, System.nanoTime(), ok.get(), failed.get());
    }

    /**
     * Sends {@code count} webhooks at {@code rate} per second, each at its scheduled time whatever the previous ones
     * did (no coordinated omission); returns the scheduled send time (nanoTime) per sequence number.
     */
    Map<Integer, Long> openLoop(URI url, int from, int count, double rate) throws Exception {
        Map<Integer, Long> scheduled = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        long period = (long) (1e9 / rate);
        long start = System.nanoTime() + 5_000_000;
        for (int i = 0; i < count; i++) {
            long at = start + i * period;
            long wait;
            while ((wait = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int seq = from + i;
            scheduled.put(seq, at);
            inFlight.add(client.sendAsync(request(url, seq), HttpResponse.BodyHandlers.discarding()));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).orTimeout(2, TimeUnit.MINUTES)
                .exceptionally(e -> null).join();
        return scheduled;
    }

    @Override
    public void close() {
        httpExecutor.shutdownNow();
    }
}
