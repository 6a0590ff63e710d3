package dev.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.StandardWebhooks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A hub as a child JVM of the test, for reliability tests that kill it with SIGKILL: started with the test's class
 * path (so the test connectors are there) on a port of its own, its output kept in a log file, and killed or
 * stopped by the test. A JVM shutdown hook kills every child still alive when the test JVM ends, however it ends.
 */
final class ChildHub {

    private static final List<ChildHub> ALIVE = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (ALIVE) {
                ALIVE.forEach(hub -> hub.process.destroyForcibly());
            }
        }));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final String base;

    private ChildHub(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts {@code SwitchboardCli run} with {@code config} on {@code port}, in {@code work}, writing its output to
     * {@code work/<name>.log}.
     *
     * @param heap      the maximum heap, e.g. {@code 256m}
     * @param extraArgs further application arguments ({@code --switchboard.instance-name=…}, a datasource URL)
     */
    static ChildHub start(String name, Path work, Path config, int port, String heap, List<String> extraArgs)
            throws IOException {
        Path log = work.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.switchboard.app.cli.SwitchboardCli", "run",
                "--SWITCHBOARD_CONFIG=" + config,
                "--server.port=" + port));
        command.addAll(extraArgs);
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ChildHub hub = new ChildHub(name, process, log, port);
        synchronized (ALIVE) {
            ALIVE.add(hub);
        }
        return hub;
    }

    String name() {
        return name;
    }

    /** {@code http://127.0.0.1:<port>}. */
    String base() {
        return base;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Waits until the hub's routes have started (so each route consuming the inbox has subscribed before the first
     * webhook); fails at once when the process exits.
     */
    void awaitReady(HttpClient http, String token, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("%s exited during start-up, see %s", name, log).isTrue();
            try {
                HttpResponse<String> routes = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/routes"))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (routes.statusCode() == 200 && routes.body().contains("Started")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            pause(200);
        }
        throw new AssertionError(name + " did not start within " + limit + ", see " + log);
    }

    /**
     * SIGKILL on Linux: no shutdown hook, no graceful stop. Returns once the process is gone, with its exit code
     * (137, 128 + 9).
     */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s gone after SIGKILL", name).isTrue();
        assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        forget();
        return process.exitValue();
    }

    /** SIGTERM, a graceful stop (the hub's shutdown hooks run), waiting up to 20 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        forget();
    }

    /** Writes the hub's thread dump next to its log, for a failure message; returns where. */
    Path dumpThreads() throws IOException, InterruptedException {
        Path threads = log.resolveSibling(name + "-threads.txt");
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true)
                .redirectOutput(threads.toFile()).start().waitFor(30, TimeUnit.SECONDS);
        return threads;
    }

    /** The lines of the hub's output logged at ERROR level. */
    List<String> errorLines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> line.contains(" ERROR ")).toList();
    }

    private void forget() {
        synchronized (ALIVE) {
            ALIVE.remove(this);
        }
    }

    /**
     * Sends one Standard Webhooks request to {@code base/webhooks/<connection>}, freshly signed with {@code secret};
     * true when the hub answered 2xx. A refused or cut connection (the hub is down or died mid-request) is false,
     * so the sender sends it again later, as real senders do.
     */
    static boolean sendSigned(HttpClient http, String base, String connection, String secret, String id, byte[] body) {
        Instant now = Instant.now();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/webhooks/"
                            + connection))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("webhook-id", id)
                    .header("webhook-timestamp", String.valueOf(now.getEpochSecond()))
                    .header("webhook-signature", new StandardWebhooks(secret).sign(id, now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A client for talking to child hubs: HTTP/1.1 (as webhook senders speak), quick to give up connecting. */
    static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** A Standard Webhooks secret ({@code whsec_} and the base64 of {@code key}). */
    static String secret(String key) {
        return "whsec_" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
