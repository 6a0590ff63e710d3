package dev.switchboard.conformance.fakes.s3;

import dev.switchboard.conformance.fakes.StandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests: <a href="https://github.com/gaul/s3proxy">S3Proxy</a> on its filesystem
 * blobstore, at a loopback port. Unlike a fake it checks SigV4 signatures, {@code Content-MD5} and multipart
 * uploads (part numbers, ETags, the 5 MiB minimum part size) as S3 does.
 *
 * <p>It runs as a child {@code java} process from S3Proxy's jar-with-dependencies, because S3Proxy brings its own
 * Jetty 12 and jclouds, which must not meet the test's class path. The jar is found at the system property
 * {@value #JAR_PROPERTY} (the kit's and the routes module's builds copy it there), else in the local Maven
 * repository. Buckets are directories of the blobstore, created before the server starts.
 *
 * <pre>{@code
 * @Fake
 * static final S3ProxyServer S3 = new S3ProxyServer("kit-bucket");
 * }</pre>
 */
public final class S3ProxyServer implements StandIn {

    public static final String JAR_PROPERTY = "switchboard.s3proxy.jar";
    public static final String ACCESS_KEY_ID = "s3proxy-kit-access-key";
    public static final String SECRET_ACCESS_KEY = "s3proxy-kit-secret-key";
    public static final String REGION = "us-east-1";

    private static final String DEFAULT_VERSION = "4.1.0";

    private final List<String> buckets;
    private Process process;
    private Path directory;
    private int port;
    private int fixedPort;
    private String accessKeyId = ACCESS_KEY_ID;
    private String secretAccessKey = SECRET_ACCESS_KEY;
    private Path jar;
    private List<String> jvmOptions = List.of();

    public S3ProxyServer(String... buckets) {
        this.buckets = List.of(buckets);
    }

    /** Listens on this loopback port instead of a free one (set before {@link #start}). */
    public synchronized S3ProxyServer withPort(int port) {
        this.fixedPort = port;
        return this;
    }

    /** Accepts these credentials instead of {@link #ACCESS_KEY_ID} and {@link #SECRET_ACCESS_KEY}. */
    public synchronized S3ProxyServer withCredentials(String accessKeyId, String secretAccessKey) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        return this;
    }

    /**
     * Adds these options to S3Proxy's {@code java} command (after {@code -Xmx256m}), e.g. to make it start on less
     * CPU where it shares the machine with what it serves (set before {@link #start}).
     */
    public synchronized S3ProxyServer withJvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /** Runs S3Proxy from this jar when it exists, before looking at {@value #JAR_PROPERTY} and the local repository. */
    public synchronized S3ProxyServer withJar(Path jar) {
        this.jar = jar;
        return this;
    }

    /** Starts the server and waits until it accepts connections; idempotent. */
    @Override
    public synchronized S3ProxyServer start() {
        if (process != null) {
            return this;
        }
        try {
            directory = Files.createTempDirectory("switchboard-s3proxy");
            Path data = Files.createDirectories(directory.resolve("data"));
            for (String bucket : buckets) {
                Files.createDirectories(data.resolve(bucket));
            }
            port = fixedPort != 0 ? requireFree(fixedPort) : freePort();
            Path properties = directory.resolve("s3proxy.conf");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKeyId,
                    "s3proxy.credential=" + secretAccessKey,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + data), StandardCharsets.UTF_8);
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            // Its properties file holds the credential: readable by its owner only.
            restrictToOwner(properties);
            List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar().toString(), "--properties", properties.toString()));
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(directory.resolve("s3proxy.log").toFile()).start();
            awaitPort();
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
        return this;
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            process = null;
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
            directory = null;
        }
    }

    /** The endpoint to configure as {@code endpoint-override}, with {@code path-style: true}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private void awaitPort() throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + "; see its log: "
                        + Files.readString(directory.resolve("s3proxy.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for S3Proxy", e);
                }
            }
        }
        throw new IOException("S3Proxy did not listen on port " + port + " within 60 s");
    }

    private static void restrictToOwner(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException notPosix) {
            // Windows: the temp directory is the user's own
        }
    }

    private Path jar() throws IOException {
        if (jar != null && Files.isRegularFile(jar)) {
            return jar;
        }
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        String repository = System.getProperty("maven.repo.local",
                Paths.get(System.getProperty("user.home"), ".m2", "repository").toString());
        Path inRepository = Path.of(repository, "org", "gaul", "s3proxy", DEFAULT_VERSION,
                "s3proxy-" + DEFAULT_VERSION + "-jar-with-dependencies.jar");
        if (Files.isRegularFile(inRepository)) {
            return inRepository;
        }
        throw new IOException("S3Proxy's jar is neither at -D" + JAR_PROPERTY + "=" + configured + " nor at "
                + inRepository + "; build with Maven, which copies org.gaul:s3proxy:" + DEFAULT_VERSION
                + ":jar:jar-with-dependencies");
    }

    /**
     * Readiness is "the port accepts connections", so a port some other process listens on would pass for S3Proxy:
     * a fixed port must be free before S3Proxy starts.
     */
    @SuppressWarnings("try") // binding is the check; the socket closes at once so S3Proxy can take the port
    private static int requireFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException e) {
            throw new IOException("port " + port + " is in use: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
