package dev.switchboard.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The loopback target of B1, in the harness process: counts receipts and records, per message sequence number
 * (the {@code qq<n>qq} marker in the model name, which survives both the forwarder and the hub's CloudEvents
 * rendering), the {@link System#nanoTime()} of its first receipt.
 */
final class TargetServer implements AutoCloseable {

    static final Pattern MARKER = Pattern.compile("qq(\\d+)qq");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    final ConcurrentHashMap<Integer, Long> firstReceipt = new ConcurrentHashMap<>();
    final AtomicLong receipts = new AtomicLong();
    final AtomicLong lastReceiptNanos = new AtomicLong();
    /** While set, every request waits for it before it is answered (a tool that stopped answering). */
    private volatile CountDownLatch gate;

    TargetServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/receive", exchange -> {
            try (exchange) {
                CountDownLatch held = gate;
                if (held != null) {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                long now = System.nanoTime();
                receipts.incrementAndGet();
                Matcher m = MARKER.matcher(body);
                if (m.find() && firstReceipt.putIfAbsent(Integer.parseInt(m.group(1)), now) == null) {
                    lastReceiptNanos.accumulateAndGet(now, Math::max);
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    /** From now on requests wait, unanswered, until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    /** Answers the held requests and stops holding. */
    void release() {
        CountDownLatch held = gate;
        gate = null;
        if (held != null) {
            held.countDown();
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/receive";
    }

    /** How many of the sequence numbers in [from, to) were received. */
    int received(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (firstReceipt.containsKey(i)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
