package dev.switchboard.app.sandbox;

import dev.switchboard.conformance.fakes.s3.S3ProxyServer;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.sandbox.StandIns;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox module's {@link StandIns} (the kit's stateful fakes of MLflow, SageMaker and GitHub, and S3Proxy for
 * S3) on fixed loopback ports, wired to the connections of {@code switchboard.yaml} that point at them.
 *
 * <p>The sandbox reads the secrets it must share with the hub (webhook secrets, S3 credentials) from those
 * connections, so they are written once, in the configuration. Its MLflow, SageMaker and GitHub accept any
 * credentials, as the fakes do by default. The fakes keep their state in memory: after a restart the hub still
 * has its event log (H2), the sandbox starts empty.
 */
public final class Sandbox {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
    /** The workflow the shipped route dispatches, with the inputs it sends. */
    static final String WORKFLOW = StandIns.WORKFLOW;

    private final SandboxProperties properties;
    private final Map<String, HubConfig.ConnectionSpec> connections;
    private final StandIns standIns;
    /** Set by {@link #startInBackground}; completes when every tool listens, or with the reason none does. */
    private volatile CompletableFuture<Void> started;

    /** One tool of the sandbox: where it listens, the connection that uses it (or null), and what it holds. */
    public record Tool(URI url, String connection, Map<String, String> details) {
    }

    public Sandbox(SandboxProperties properties, HubConfig config) {
        this.properties = properties;
        this.connections = config.connections();
        String bucket = option("s3", "bucket-prefix").map(prefix -> URI.create(prefix).getHost()).orElse("models");
        this.standIns = new StandIns(new StandIns.Settings(properties.getBasePort(), properties.getS3proxyJar(),
                option("mlflow", "webhook-secret").orElse(null), bucket,
                option("s3", "access-key-id").orElse(S3ProxyServer.ACCESS_KEY_ID),
                option("s3", "secret-access-key").orElse(S3ProxyServer.SECRET_ACCESS_KEY),
                option("github", "repository").orElse("acme/deploy"), option("github", "webhook-secret").orElse(null),
                properties.getRunDuration(), properties.getRunConclusion()));
    }

    /** Starts every tool and returns once they all listen; throws if one cannot start (nothing is left running). */
    public void start() {
        startInBackground();
        awaitStarted(Duration.ofMinutes(2));
    }

    /**
     * Starts the tools on a thread of their own and returns at once, so the hub's start-up runs meanwhile (S3Proxy,
     * a child JVM, takes seconds to listen); {@link #awaitStarted} waits for them. Idempotent.
     */
    public synchronized void startInBackground() {
        if (started == null) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            started = future;
            Thread thread = new Thread(() -> {
                try {
                    startTools();
                    future.complete(null);
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            }, "switchboard-sandbox-start");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Whether every tool listens. */
    public boolean isStarted() {
        CompletableFuture<Void> future = started;
        return future != null && future.isDone() && !future.isCompletedExceptionally();
    }

    /**
     * Waits until every tool listens; rethrows the reason if one could not start.
     *
     * @throws IllegalStateException if the sandbox was not started, could not start, or is not up within
     *                               {@code timeout}
     */
    public void awaitStarted(Duration timeout) {
        CompletableFuture<Void> future = started;
        if (future == null) {
            throw new IllegalStateException("the sandbox was not started");
        }
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the sandbox did not start within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the sandbox", e);
        }
    }

    /** The offset from {@code base-port} of each tool, by the connector type that talks to it. */
    private static final Map<String, Integer> PORT_OFFSETS = Map.of("mlflow", 0, "sagemaker", 1, "s3", 2, "github", 3);

    /**
     * One line per connection of a sandboxed tool's type whose URL points at the loopback on another port than the
     * sandbox's tool listens on ({@code base-port} moved, the URLs not): its calls would go nowhere, silently.
     */
    static List<String> portDisagreements(int base, Map<String, HubConfig.ConnectionSpec> connections) {
        List<String> problems = new java.util.ArrayList<>();
        connections.forEach((name, spec) -> {
            Integer offset = PORT_OFFSETS.get(spec.type());
            if (offset == null) {
                return;
            }
            spec.options().forEach((option, value) -> {
                URI url = loopbackUrl(value);
                if (url != null && url.getPort() != base + offset) {
                    problems.add("connections." + name + ".options." + option + " points at " + url + ", but the "
                            + "sandbox's " + spec.type() + " listens on port " + (base + offset)
                            + " (switchboard.sandbox.base-port " + base + " + " + offset + "): move the URL with the "
                            + "base port");
                }
            });
        });
        return problems;
    }

    private static URI loopbackUrl(String value) {
        if (value == null || !value.startsWith("http")) {
            return null;
        }
        try {
            URI url = URI.create(value);
            String host = url.getHost();
            return host != null && url.getPort() > 0 && (host.equals("127.0.0.1") || host.equals("localhost"))
                    ? url : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private synchronized void startTools() {
        long begin = System.nanoTime();
        int base = properties.getBasePort();
        portDisagreements(base, connections).forEach(LOG::warn);
        LOG.info("Starting the sandbox (MLflow, SageMaker, S3, GitHub stand-ins) on 127.0.0.1:{}-{}", base, base + 3);
        standIns.start();
        LOG.info("The sandbox listens on 127.0.0.1:{}-{} (started in {} ms)", base, base + 3,
                (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Points the sandbox's webhooks at the hub, once its web server listens (its port may be chosen at start).
     * Deliveries made before are recorded only.
     */
    public synchronized void sendWebhooksTo(URI hub) {
        connection("mlflow").ifPresent(name -> standIns.sendMlflowWebhooksTo(hub.resolve("/webhooks/" + name)));
        connection("github").ifPresent(name -> standIns.sendGitHubWebhooksTo(hub.resolve("/webhooks/" + name)));
        LOG.info("The sandbox sends MLflow and GitHub webhooks to {}", hub);
    }

    /** Stops every tool, each on its own (see {@link StandIns#stop()}), logging those that failed to stop. */
    public synchronized void stop() {
        standIns.stop().forEach(failure -> LOG.debug("Stopping the sandbox's {} failed", failure));
    }

    /** Each tool's URL and connection, by connector type, for the {@code switchboard demo} command. */
    public Map<String, Tool> tools() {
        int base = properties.getBasePort();
        Map<String, Tool> tools = new LinkedHashMap<>();
        tools.put("mlflow", tool("mlflow", base));
        tools.put("sagemaker", tool("sagemaker", base + 1));
        tools.put("s3", tool("s3", base + 2));
        Tool github = tool("github", base + 3);
        tools.put("github", new Tool(github.url(), github.connection(), Map.of("repository",
                option("github", "repository").orElse("acme/deploy"), "workflow", WORKFLOW)));
        return tools;
    }

    private Tool tool(String type, int port) {
        return new Tool(URI.create("http://127.0.0.1:" + port), connection(type).orElse(null), Map.of());
    }

    /** The connection of this connector type that points at the sandbox's port for it, else the first of the type. */
    private Optional<String> connection(String type) {
        int port = properties.getBasePort() + switch (type) {
            case "mlflow" -> 0;
            case "sagemaker" -> 1;
            case "s3" -> 2;
            default -> 3;
        };
        Optional<String> pointing = connections.entrySet().stream()
                .filter(e -> type.equals(e.getValue().type()))
                .filter(e -> e.getValue().options().values().stream().anyMatch(value -> value != null
                        && (value.contains("127.0.0.1:" + port) || value.contains("localhost:" + port))))
                .map(Map.Entry::getKey).findFirst();
        return pointing.or(() -> connections.entrySet().stream().filter(e -> type.equals(e.getValue().type()))
                .map(Map.Entry::getKey).findFirst());
    }

    private Optional<String> option(String type, String option) {
        return connection(type).map(name -> connections.get(name).options().get(option))
                .filter(value -> !value.isBlank());
    }
}
