package dev.switchboard.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The B1 baseline: a bare, non-durable webhook forwarder. JDK HttpServer in, JDK HttpClient out, no signature check,
 * no persistence: each POST is forwarded to the target and answered 202 once the target answered 2xx (502 otherwise).
 * {@code GET /health} answers {@code UP}. Runs as a child JVM: {@code Forwarder <port> <target-url>}.
 */
public final class Forwarder {

    private Forwarder() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        URI target = URI.create(args[1]);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/health", exchange -> answer(exchange, 200, "UP"));
        server.createContext("/webhooks/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                HttpRequest.Builder forward = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
                for (String header : new String[] {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
                    String value = exchange.getRequestHeaders().getFirst(header);
                    if (value != null) {
                        forward.header(header, value);
                    }
                }
                int status;
                try {
                    status = client.send(forward.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException e) {
                    status = 599;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = 599;
                }
                answer(exchange, status / 100 == 2 ? 202 : 502, "");
            }
        });
        server.start();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
