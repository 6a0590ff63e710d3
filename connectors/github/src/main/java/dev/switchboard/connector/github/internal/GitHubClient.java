package dev.switchboard.connector.github.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small GitHub REST client on {@link HttpClient}: JSON in and out, the token as {@code Authorization: Bearer},
 * {@code Accept: application/vnd.github+json} and the pinned {@code X-GitHub-Api-Version} on every request.
 * Returns every answer, whatever its status; callers classify failures. Thread-safe.
 */
public final class GitHubClient implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI apiUrl;
    private final Optional<String> token;
    private final String apiVersion;
    private final Duration timeout;
    /** Built on first use ({@link #http()}). */
    private HttpClient http;

    /** One answer: status, headers and the body parsed as JSON (an empty object when there is none). */
    public record Response(int status, HttpHeaders headers, String text, JsonNode json) {

        public boolean ok() {
            return status / 100 == 2;
        }
    }

    public GitHubClient(URI apiUrl, Optional<String> token, String apiVersion, Duration timeout) {
        this.apiUrl = apiUrl;
        this.token = token;
        this.apiVersion = apiVersion;
        this.timeout = timeout;
    }

    /**
     * Sends one request.
     *
     * @param path the path after the API URL ({@code /repos/o/r/dispatches}), with any query
     * @param body the JSON body, or null for none
     * @throws IOException when no answer arrived
     */
    public Response send(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(timeout)
                .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", apiVersion)
                .header("User-Agent", "switchboard-hub");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response = http().send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body() == null ? "" : response.body();
            JsonNode json;
            try {
                json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (RuntimeException notJson) {
                json = JSON.createObjectNode();
            }
            return new Response(response.statusCode(), response.headers(), text, json);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public static JsonMapper json() {
        return JSON;
    }

    /**
     * The HTTP client, built on first use rather than when the connection opens: building a JDK HttpClient sets up
     * the default SSL context (reads the CA certificates, about 180 classes), which the hub's start-up need not
     * wait for, least of all for a plain-http URL.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return http;
    }

    /** Java 17's HttpClient has no close(); its threads end when it is unreachable. */
    @Override
    public void close() {
    }
}
