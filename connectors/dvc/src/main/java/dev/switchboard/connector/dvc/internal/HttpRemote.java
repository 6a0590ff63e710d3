package dev.switchboard.connector.dvc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * An {@code http(s)://} remote: objects are {@code GET <url>/<key>}, sizes from {@code HEAD}. Read-only here: DVC's
 * HTTP upload method differs between servers, so the hub does not write to HTTP remotes.
 */
public final class HttpRemote implements RemoteStorage {

    private final HttpClient client;
    private final String base;
    private final String authorization;
    private final Duration timeout;

    /** @param user with {@code password}, basic authentication; {@code null} for none */
    public HttpRemote(URI url, String user, String password, Duration timeout) {
        String text = url.toString();
        this.base = text.endsWith("/") ? text : text + "/";
        this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    private HttpRequest.Builder request(String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + key)).timeout(timeout);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    @Override
    public String describe() {
        return base;
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        HttpResponse<Void> response = send(request(key).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 404) {
            return OptionalLong.empty();
        }
        check("HEAD", key, response.statusCode());
        return OptionalLong.of(response.headers().firstValueAsLong("content-length").orElse(-1));
    }

    @Override
    public InputStream open(String key) throws IOException {
        HttpResponse<InputStream> response = send(request(key).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            if (response.statusCode() == 404) {
                throw new NoSuchFileException(key);
            }
            check("GET", key, response.statusCode());
        }
        return response.body();
    }

    @Override
    public void put(String key, Path file, long size) throws IOException {
        throw new UnsupportedOperationException("the hub does not write to HTTP remotes (" + base + ")");
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void check(String operation, String key, int status) throws RemoteFailure {
        if (status >= 300) {
            throw new RemoteFailure(operation + " " + key + " failed with HTTP " + status, status);
        }
    }
}
