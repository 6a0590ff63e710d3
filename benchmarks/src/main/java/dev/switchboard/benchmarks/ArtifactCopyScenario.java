package dev.switchboard.benchmarks;

import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.connector.s3.S3Connector;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.delivery.HubActions;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactStore;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * B3 artifact copy between two S3-compatible endpoints (two S3Proxy servers on loopback, filesystem blobstores):
 * the hub's {@code copy-artifact} action ({@link HubActions}: stat → stream from the source connection's
 * {@code ArtifactStore} → the target's streamed, SHA-256-verified write: with the source's size and SHA-256 known,
 * one PutObject carrying {@code x-amz-checksum-sha256}) against a plain streamed copy (SDK getObject → putObject
 * with the same SDK transport, no digest). Heap is measured in this process.
 */
final class ArtifactCopyScenario {

    private ArtifactCopyScenario() {
    }

    static ScenarioResult run(Layout layout, long bytes, int repetitions, Path work) throws Exception {
        ScenarioResult result = new ScenarioResult("B3", "artifact copy",
                "plain streamed copy: S3 SDK getObject (endpoint A) → putObject with the stream (endpoint B)",
                "hub action `copy-artifact` via the `s3` connector: stat, stream, one PutObject with "
                        + "x-amz-checksum-sha256, SHA-256 checked before its last bytes");
        if (System.getProperty(S3ProxyServer.JAR_PROPERTY) == null && java.nio.file.Files.exists(layout.s3proxyJar())) {
            System.setProperty(S3ProxyServer.JAR_PROPERTY, layout.s3proxyJar().toString());
        }
        Metric throughput = result.metric(new Metric("copy throughput", "MiB/s", Metric.Goal.AT_LEAST, 0.8,
                "≥ 0.8× (aim 0.9×)"));
        Metric heap = result.metric(new Metric("heap growth (live, after GC) during the copy", "MiB",
                Metric.Goal.ABSOLUTE_AT_MOST, 64, "Switchboard ≤ 64 MiB"));
        Metric peak = result.metric(Metric.reported("peak heap used − heap before (incl. garbage)", "MiB"));
        S3ProxyServer a = new S3ProxyServer("source");
        S3ProxyServer b = new S3ProxyServer("target");
        ConnectionRegistry connections = null;
        try {
            a.start();
            b.start();
            Map<String, HubConfig.ConnectionSpec> specs = new LinkedHashMap<>();
            specs.put("store-a", spec("s3://source", a.endpoint()));
            specs.put("store-b", spec("s3://target", b.endpoint()));
            connections = ConnectionRegistry.open(new HubConfig(specs, null, null),
                    ConnectorRegistry.of(List.of(new S3Connector())), Clock.systemUTC());
            URI object = URI.create("s3://source/artifacts/model.bin");
            String sha256 = seed(connections.storeFor(object).orElseThrow(), object, bytes);
            HubActions hub = new HubActions(connections);
            try (S3Client clientA = client(a.endpoint()); S3Client clientB = client(b.endpoint())) {
                // One untimed copy each way first: the seed above ran the hub's write path, but the plain copy's
                // SDK path would otherwise run cold in the first repetition and flatter the hub's ratio there.
                plainCopy(clientA, clientB, "copies/plain-warm-up.bin", bytes);
                hubCopy(hub, object, "s3://target/copies/hub-warm-up.bin", "bench-warm-up", sha256, bytes);
                clientB.deleteObject(r -> r.bucket("target").key("copies/plain-warm-up.bin"));
                clientB.deleteObject(r -> r.bucket("target").key("copies/hub-warm-up.bin"));
                for (int rep = 0; rep < repetitions; rep++) {
                    String key = "copies/plain-" + rep + ".bin";
                    double[] base = measured(() -> plainCopy(clientA, clientB, key, bytes), bytes);
                    int n = rep;
                    double[] sb = measured(() -> hubCopy(hub, object, "s3://target/copies/hub-" + n + ".bin",
                            "bench-" + n, sha256, bytes), bytes);
                    throughput.add(base[0], sb[0]);
                    heap.add(base[1], sb[1]);
                    peak.add(base[2], sb[2]);
                    clientB.deleteObject(r -> r.bucket("target").key(key));
                    clientB.deleteObject(r -> r.bucket("target").key("copies/hub-" + n + ".bin"));
                    System.out.printf(Locale.ROOT, "B3 rep %d: plain %.1f MiB/s (heap +%.1f, peak +%.1f MiB), hub "
                            + "%.1f MiB/s (heap +%.1f, peak +%.1f MiB)%n", rep + 1, base[0], base[1], base[2], sb[0],
                            sb[1], sb[2]);
                }
            }
        } finally {
            if (connections != null) {
                connections.close();
            }
            a.stop();
            b.stop();
        }
        result.note(String.format(Locale.ROOT, "Object size %d MiB of pseudo-random bytes, seeded through the s3 "
                        + "connector (so it carries its SHA-256 as metadata and the hub reads it once). Both servers "
                        + "are S3Proxy %s child JVMs (-Xmx256m) on loopback; the copies share the machine's 2 cores "
                        + "with them. Before the first repetition one untimed copy each way warms both paths. Heap: the "
                        + "harness's heap pools after each GC (MemoryPoolMXBean collection usage, sampled every 20 ms) "
                        + "minus the live heap before the copy.", bytes >> 20, "4.1.0"));
        return result;
    }

    private static void plainCopy(S3Client from, S3Client to, String key, long bytes) throws Exception {
        try (ResponseInputStream<GetObjectResponse> in = from.getObject(r -> r.bucket("source")
                .key("artifacts/model.bin"))) {
            to.putObject(r -> r.bucket("target").key(key).contentLength(bytes), RequestBody.fromInputStream(in, bytes));
        }
    }

    private static void hubCopy(HubActions hub, URI object, String to, String key, String sha256, long bytes) {
        ActionTarget.Result copied = hub.perform(new ActionTarget.Request("copy-artifact",
                Map.of("from", object.toString(), "to", to), null, key));
        if (!sha256.equals(copied.outputs().get("sha256")) || !String.valueOf(bytes).equals(copied.outputs().get("size"))) {
            throw new IllegalStateException("copy reported " + copied.outputs());
        }
    }

    private static HubConfig.ConnectionSpec spec(String prefix, URI endpoint) {
        return new HubConfig.ConnectionSpec(S3Connector.TYPE, Map.of("bucket-prefix", prefix, "region",
                S3ProxyServer.REGION, "endpoint-override", endpoint.toString(), "path-style", "true",
                "access-key-id", S3ProxyServer.ACCESS_KEY_ID, "secret-access-key", S3ProxyServer.SECRET_ACCESS_KEY));
    }

    private static S3Client client(URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.of(S3ProxyServer.REGION))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY))).build();
    }

    private static String seed(ArtifactStore store, URI uri, long bytes) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new PseudoRandomStream(bytes)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        String sha256 = HexFormat.of().formatHex(digest.digest());
        try (InputStream in = new PseudoRandomStream(bytes)) {
            store.write(uri, in, bytes, Digest.sha256(sha256));
        }
        return sha256;
    }

    interface Copy {
        void run() throws Exception;
    }

    /** Runs {@code copy}; returns MiB/s, live heap growth (MiB) and peak heap growth (MiB). */
    private static double[] measured(Copy copy, long bytes) throws Exception {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
        System.gc();
        long before = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        AtomicLong maxLive = new AtomicLong(before);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long live = pools.stream().mapToLong(p -> p.getCollectionUsage() == null ? 0
                        : p.getCollectionUsage().getUsed()).sum();
                maxLive.accumulateAndGet(live, Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        // Collection usage is "after the last GC"; the first sample after System.gc() is the live set.
        long liveBefore = pools.stream().mapToLong(p -> p.getCollectionUsage() == null ? 0
                : p.getCollectionUsage().getUsed()).sum();
        maxLive.set(liveBefore);
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        try {
            copy.run();
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        double mib = 1024.0 * 1024.0;
        return new double[] {bytes / mib / seconds, Math.max(0, maxLive.get() - liveBefore) / mib,
                Math.max(0, peak - before) / mib};
    }

    /** Deterministic, incompressible-looking bytes without holding them: xorshift over 8-byte words. */
    static final class PseudoRandomStream extends InputStream {
        private long remaining;
        private long state = 0x9E3779B97F4A7C15L;

        PseudoRandomStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                if ((i & 7) == 0) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                }
                b[off + i] = (byte) (state >>> ((i & 7) << 3));
            }
            remaining -= n;
            return n;
        }
    }
}
