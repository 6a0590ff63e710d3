package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * B1 webhook → delivery. The hub (child JVM: signed webhook → verify → inbox → route → outbox → {@code webhook}
 * connector) and a bare forwarder (child JVM: JDK HttpServer → JDK HttpClient, nothing stored) both deliver to the
 * same loopback {@link TargetServer} in this process. Per system and repetition: a warm-up, a closed-loop run for
 * maximum throughput (accepted/s at the sender, delivered/s at the target), then an open-loop run at half of that
 * system's maximum delivered rate for latency, and a direct-to-target run at the same rate whose latency is
 * subtracted ("added latency").
 */
final class WebhookScenario {

    static final String SECRET = "whsec_" + Base64.getEncoder()
            .encodeToString("switchboard-benchmark-signing-k!".getBytes(StandardCharsets.UTF_8));

    /**
     * Sizes: messages per throughput run; warm-up in batches of {@code warmup} messages until at least
     * {@code warmupSeconds} have passed; sender threads; latency-phase seconds.
     */
    record Size(int count, int warmup, double warmupSeconds, int threads, double latencySeconds, int minLatencyCount) {
        static final Size SMALL = new Size(50, 10, 0, 4, 0.2, 20);
        // 20 s of warm-up: after 300 messages (about a second) the hub's JIT compiler thread was busy through the
        // whole measured run, taking CPU from the hub on two cores; a server's throughput is its warmed-up one.
        static final Size FULL = new Size(2000, 1000, 20, 16, 5, 200);
    }

    private final Layout layout;
    private final Size size;
    private final Path work;
    private final AtomicInteger nextSeq = new AtomicInteger(1);

    WebhookScenario(Layout layout, Size size, Path work) {
        this.layout = layout;
        this.size = new Size(Integer.getInteger("bench.b1.count", size.count), size.warmup,
                Double.parseDouble(System.getProperty("bench.b1.warmupSeconds", String.valueOf(size.warmupSeconds))),
                size.threads, size.latencySeconds, size.minLatencyCount);
        this.work = work;
    }

    /** One system's numbers in one repetition. */
    record Run(double acceptedPerSecond, double deliveredPerSecond, double cpuMillisPerMessage, int sent,
               int delivered, int failed, double addedP50Ms, double addedP99Ms, double rate) {
    }

    ScenarioResult run(int repetitions) throws Exception {
        ScenarioResult result = new ScenarioResult("B1", "webhook → delivery",
                "bare non-durable forwarder (JDK HttpServer + JDK HttpClient, no verification, no persistence)",
                "hub-app: Standard Webhooks verify → inbox (H2 file) → Camel route → outbox → `webhook` connector");
        Metric delivered = result.metric(new Metric("max throughput, delivered/s at the target", "msg/s",
                Metric.Goal.AT_LEAST, 0.5, "≥ 0.5× (aim 0.8×)"));
        Metric accepted = result.metric(Metric.reported("max throughput, accepted/s at the sender", "msg/s"));
        Metric cpu = result.metric(Metric.reported("CPU time per message at max throughput (system's JVM)", "ms"));
        Metric p50 = result.metric(Metric.reported("p50 added latency, both at half the slower one's max", "ms"));
        Metric p99 = result.metric(Metric.reported("p99 added latency, both at half the slower one's max", "ms"));
        try (TargetServer target = new TargetServer(); LoadGenerator load = new LoadGenerator(SECRET)) {
            // The harness's own sender and target run in this JVM: warmed first, they no longer speed up from one
            // repetition to the next (the forwarder, limited by them, did: 541 → 1,076 msg/s in one run).
            int harnessWarmUp = 2 * size.count;
            int warmFrom = nextSeq.getAndAdd(harnessWarmUp);
            load.closedLoop(URI.create(target.url()), warmFrom, harnessWarmUp, size.threads);
            awaitDelivered(target, warmFrom, harnessWarmUp, Duration.ofSeconds(60));
            for (int rep = 0; rep < repetitions; rep++) {
                Run baseline;
                Run hub;
                try (ChildJvm forwarder = forwarder(target, rep); ChildJvm hubJvm = hub(target, rep)) {
                    Run forwarderMax = throughput(forwarder, target, load);
                    Run hubMax = throughput(hubJvm, target, load);
                    // One rate for both, which both sustain: at the forwarder's own half-maximum the harness's
                    // open-loop sender itself queued, and its latency measured the harness.
                    double rate = Math.max(1, Math.min(forwarderMax.deliveredPerSecond,
                            hubMax.deliveredPerSecond) / 2);
                    baseline = withLatency(forwarderMax, forwarder, target, load, rate);
                    hub = withLatency(hubMax, hubJvm, target, load, rate);
                }
                System.out.printf("B1 rep %d: forwarder %s%n          hub       %s%n", rep + 1, baseline, hub);
                delivered.add(baseline.deliveredPerSecond, hub.deliveredPerSecond);
                accepted.add(baseline.acceptedPerSecond, hub.acceptedPerSecond);
                cpu.add(baseline.cpuMillisPerMessage, hub.cpuMillisPerMessage);
                p50.add(baseline.addedP50Ms, hub.addedP50Ms);
                p99.add(baseline.addedP99Ms, hub.addedP99Ms);
                if (baseline.failed > 0 || hub.failed > 0 || baseline.delivered < baseline.sent
                        || hub.delivered < hub.sent) {
                    result.note("rep " + (rep + 1) + ": forwarder " + baseline.delivered + "/" + baseline.sent
                            + " delivered, " + baseline.failed + " failed; hub " + hub.delivered + "/" + hub.sent
                            + " delivered, " + hub.failed + " failed");
                }
            }
        }
        result.note("Before the first repetition the harness's sender and target exchange " + 2 * size.count
                + " messages directly (their own JIT warm-up). Per repetition and system: a warm-up of "
                + "closed-loop batches of " + size.warmup + " messages for at least " + size.warmupSeconds
                + " s (the JIT's, which otherwise compiled through the measured run), " + size.count
                + " webhooks closed-loop with " + size.threads + " sender threads; then, both running, each in "
                + "open loop for " + size.latencySeconds + " s at half the lower of the two max delivered/s; "
                + "latency = target receipt − scheduled send, minus the same percentile of a direct sender → target "
                + "run at the same rate.");
        return result;
    }

    private ChildJvm forwarder(TargetServer target, int rep) {
        Path dir = dir("b1-forwarder-" + rep);
        int port = ChildJvm.freePort();
        ChildJvm child = ChildJvm.start(layout.harnessClasses(), Forwarder.class.getName(),
                List.of(String.valueOf(port), target.url()), dir, dir.resolve("forwarder.log"), port, List.of());
        return ready(child, "/health");
    }

    private ChildJvm hub(TargetServer target, int rep) throws IOException {
        Path dir = dir("b1-hub-" + rep);
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("forward.camel.yaml"), """
                - route:
                    id: forward-alias-events
                    from:
                      uri: switchboard:events
                      parameters:
                        type: model_version.alias_set
                        source: registry
                      steps:
                        - to: switchboard:target/send-event
                """);
        Path config = Files.writeString(dir.resolve("switchboard.yaml"), """
                switchboard:
                  routes:
                    directory: %s
                  connections:
                    registry:
                      type: std-webhook-test
                      options:
                        secret: %s
                    target:
                      type: webhook
                      options:
                        url: %s
                        secret: %s
                """.formatted(routes, SECRET, target.url(), SECRET));
        int port = ChildJvm.freePort();
        List<String> args = new ArrayList<>(List.of("--SWITCHBOARD_CONFIG=" + config, "--server.port=" + port,
                "--switchboard.data-dir=" + dir.resolve("data")));
        // Hub options for experiments, e.g. -Dbench.b1.hubArgs="--switchboard.delivery.workers=32".
        String extra = System.getProperty("bench.b1.hubArgs", "").trim();
        if (!extra.isEmpty()) {
            args.addAll(List.of(extra.split("\\s+")));
        }
        return ready(ChildJvm.start(layout.hubClasspath(true), StartupScenario.MAIN, args, dir,
                dir.resolve("hub.log"), port, ChildJvm.extraFlags()), "/actuator/health");
    }

    private static ChildJvm ready(ChildJvm child, String health) {
        try {
            child.awaitReady(health, "UP", Duration.ofSeconds(120));
            return child;
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    private static URI webhookUrl(ChildJvm system) {
        return URI.create("http://127.0.0.1:" + system.port + "/webhooks/registry");
    }

    /** Warm-up, then the maximum throughput, closed loop; the latencies are not measured yet. */
    private Run throughput(ChildJvm system, TargetServer target, LoadGenerator load) throws Exception {
        URI url = webhookUrl(system);
        // warm-up: the same time for every system
        long warmUntil = System.nanoTime() + (long) (size.warmupSeconds * 1e9);
        do {
            int warm = nextSeq.getAndAdd(size.warmup);
            load.closedLoop(url, warm, size.warmup, size.threads);
            awaitDelivered(target, warm, size.warmup, Duration.ofSeconds(size.count <= 100 ? 20 : 60));
        } while (System.nanoTime() < warmUntil);

        // maximum throughput, closed loop
        int from = nextSeq.getAndAdd(size.count);
        double cpuBefore = system.cpuMillis();
        LoadGenerator.Closed closed = load.closedLoop(url, from, size.count, size.threads);
        // A missing delivery is waited for this long (a retry's backoff); short at the smoke-test size.
        int delivered = awaitDelivered(target, from, size.count, Duration.ofSeconds(size.count <= 100 ? 20 : 180));
        // What the system spent per message: unlike the rates, this hardly moves when other tenants take CPU.
        double cpuPerMessage = (system.cpuMillis() - cpuBefore) / Math.max(1, delivered);
        long last = 0;
        for (int i = from; i < from + size.count; i++) {
            Long t = target.firstReceipt.get(i);
            if (t != null) {
                last = Math.max(last, t);
            }
        }
        double deliveredPerSecond = delivered == 0 ? 0 : delivered / ((last - closed.startNanos()) / 1e9);

        return new Run(closed.perSecond(), deliveredPerSecond, cpuPerMessage, size.count, delivered, closed.failed(),
                Double.NaN, Double.NaN, Double.NaN);
    }

    /** {@code max} with the added latency at {@code rate}, open loop, less the target's own at the same rate. */
    private Run withLatency(Run max, ChildJvm system, TargetServer target, LoadGenerator load, double rate)
            throws Exception {
        int count = (int) Math.min(20_000, Math.max(size.minLatencyCount, rate * size.latencySeconds));
        List<Double> e2e = latencies(target, load, webhookUrl(system), count, rate);
        List<Double> direct = latencies(target, load, URI.create(target.url()), count, rate);
        return new Run(max.acceptedPerSecond, max.deliveredPerSecond, max.cpuMillisPerMessage, max.sent,
                max.delivered, max.failed, Stats.percentile(e2e, 50) - Stats.percentile(direct, 50),
                Stats.percentile(e2e, 99) - Stats.percentile(direct, 99), rate);
    }

    private List<Double> latencies(TargetServer target, LoadGenerator load, URI url, int count, double rate)
            throws Exception {
        int from = nextSeq.getAndAdd(count);
        Map<Integer, Long> scheduled = load.openLoop(url, from, count, rate);
        awaitDelivered(target, from, count, Duration.ofSeconds(size.count <= 100 ? 20 : 120));
        List<Double> millis = new ArrayList<>();
        scheduled.forEach((seq, at) -> {
            Long received = target.firstReceipt.get(seq);
            if (received != null) {
                millis.add((received - at) / 1e6);
            }
        });
        return millis;
    }

    private static int awaitDelivered(TargetServer target, int from, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int received = target.received(from, from + count);
        while (received < count && System.nanoTime() < deadline) {
            ChildJvm.sleep(5);
            received = target.received(from, from + count);
        }
        return received;
    }

    private Path dir(String name) {
        try {
            return Files.createDirectories(work.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
