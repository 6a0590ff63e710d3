package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A child JVM started by the harness (hub, forwarder or baseline app), with the same JVM flags for all. */
final class ChildJvm implements AutoCloseable {

    /** The flags every child runs with, so the hub and its baselines are compared like for like. */
    static final List<String> FLAGS = List.of("-Xms128m", "-Xmx1g", "-XX:+UseG1GC", "-Xshare:auto");

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final Process process;
    final long startNanos;
    final Path log;
    final int port;

    private ChildJvm(Process process, long startNanos, Path log, int port) {
        this.process = process;
        this.startNanos = startNanos;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code mainClass} with {@code classpath}; {@code extraFlags} go after {@link #FLAGS} (e.g. JFR).
     * Output goes to {@code log}.
     */
    static ChildJvm start(String classpath, String mainClass, List<String> args, Path workDir, Path log, int port,
                          List<String> extraFlags) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FLAGS);
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long start = System.nanoTime();
        try {
            return new ChildJvm(builder.start(), start, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass, e);
        }
    }

    /** Extra flags from {@code -Dbench.childFlags="..."} (space separated), e.g. to profile a child with JFR. */
    static List<String> extraFlags() {
        String flags = System.getProperty("bench.childFlags", "").trim();
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }

    /**
     * Waits until {@code GET path} answers 200 with a body containing {@code expect}; returns the nanos since start.
     */
    long awaitReady(String path, String expect, Duration timeout) {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited with " + process.exitValue() + "; log: " + tail());
            }
            try {
                HttpResponse<String> response = PROBE.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains(expect)) {
                    return System.nanoTime() - startNanos;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(10);
        }
        throw new IllegalStateException("not ready within " + timeout + "; log: " + tail());
    }

    /**
     * The value of a Micrometer metric the child serves at {@code /actuator/metrics/<name>?tag=<tag>} (its first
     * measurement) to the bearer of {@code token}, or 0 when it has none yet.
     */
    double metric(String name, String tag, String token) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + name + "?tag=" + tag);
        try {
            HttpResponse<String> response = PROBE.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
            }
            java.util.regex.Matcher value = java.util.regex.Pattern.compile("\"value\"\\s*:\\s*([0-9.eE+-]+)")
                    .matcher(response.body());
            return value.find() ? Double.parseDouble(value.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** CPU time the child has used so far (user + system), in milliseconds. */
    double cpuMillis() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    }

    /**
     * CPU time the child's threads have used so far, in milliseconds, summed by thread name with its digits dropped
     * ({@code http-nio-#-exec-#}); read from Linux {@code /proc/<pid>/task} at the usual 100 clock ticks a second.
     * Empty elsewhere.
     */
    Map<String, Double> threadCpuMillis() {
        Map<String, Double> byName = new TreeMap<>();
        try (Stream<Path> threads = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            threads.forEach(thread -> {
                String stat = read(thread.resolve("stat"));
                if (stat.isEmpty()) {
                    return; // the thread ended
                }
                String[] fields = statFields(stat);
                double millis = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0; // utime, stime
                String name = read(thread.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                byName.merge(name, millis, Double::sum);
            });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return byName;
    }

    /**
     * The fields of a Linux {@code /proc/.../stat} line after the command name (which may hold spaces and
     * parentheses): the state first, then the parent (1), utime (11), stime (12), cutime (13), cstime (14).
     */
    static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** CPU time the child's JIT compiler threads have used so far, in milliseconds, or NaN without /proc. */
    double compilerCpuMillis() {
        Map<String, Double> threads = threadCpuMillis();
        return threads.isEmpty() ? Double.NaN : threads.entrySet().stream()
                .filter(thread -> thread.getKey().contains("CompilerThre")).mapToDouble(Map.Entry::getValue).sum();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException gone) {
            return "";
        }
    }

    /** The child's resident set size in bytes (Linux {@code /proc/<pid>/status} VmRSS), or -1 elsewhere. */
    long rssBytes() {
        return rssBytes(process.pid());
    }

    /** The RSS of the child and every process it started (e.g. the hub's sandbox S3Proxy), or -1 elsewhere. */
    long treeRssBytes() {
        long own = rssBytes();
        if (own < 0) {
            return -1;
        }
        return own + process.descendants().mapToLong(p -> Math.max(0, rssBytes(p.pid()))).sum();
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
