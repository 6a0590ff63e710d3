package dev.switchboard.connector.mlflow.internal;

import dev.switchboard.connector.mlflow.internal.MlflowErrors.MlflowApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * A thin client of MLflow's REST API 2.0 on {@link java.net.http.HttpClient}: GET parameters in the query
 * string, everything else as a JSON body (DELETE included), {@code Content-Type: application/json}, and every
 * failure classified by {@link MlflowErrors}. Artifact bytes stream in both directions.
 */
public final class MlflowClient implements AutoCloseable {

    private static final String API = "/api/2.0/mlflow/";
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
    public static final String WORKSPACE_HEADER = "X-MLFLOW-WORKSPACE";

    private final String connection;
    private final URI base;
    private final Optional<String> authorization;
    private final Optional<String> workspace;
    private final Duration timeout;
    private final Clock clock;
    /** Built on first use ({@link #http()}). */
    private HttpClient http;
    private final JsonMapper json = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public MlflowClient(String connection, URI base, Optional<String> authorization, Optional<String> workspace,
                        Duration timeout, Clock clock) {
        this.connection = connection;
        this.base = base;
        this.authorization = authorization;
        this.workspace = workspace;
        this.timeout = timeout;
        this.clock = clock;
    }

    public URI base() {
        return base;
    }

    /** A GET with query parameters; a list value repeats the key, as MLflow expects for repeated fields. */
    public JsonNode get(String endpoint, Map<String, ?> query) {
        return send("GET " + endpoint, request(API + endpoint, query).GET());
    }

    public JsonNode post(String endpoint, Map<String, ?> body) {
        return sendJson("POST", endpoint, body);
    }

    public JsonNode patch(String endpoint, Map<String, ?> body) {
        return sendJson("PATCH", endpoint, body);
    }

    /** DELETE with a JSON body: MLflow reads the parameters of its deletes from the body. */
    public JsonNode delete(String endpoint, Map<String, ?> body) {
        return sendJson("DELETE", endpoint, body);
    }

    /** Reads {@code field} of a response as {@code type}; a missing field is an unexpected payload. */
    public <T> T field(JsonNode response, String field, Class<T> type) {
        JsonNode node = response.get(field);
        if (node == null || node.isNull()) {
            throw MlflowErrors.unexpected(connection, "reading " + field, "no field " + field, null);
        }
        return convert(node, json.constructType(type), field);
    }

    /** Reads a search response: the list under {@code field} (absent when empty) and {@code next_page_token}. */
    public <T> MlflowDtos.SearchPage<T> page(JsonNode response, String field, Class<T> type) {
        JsonNode items = response.get(field);
        List<T> list = items == null || items.isNull() ? List.of()
                : convert(items, json.getTypeFactory().constructCollectionType(List.class, type), field);
        JsonNode token = response.get("next_page_token");
        return new MlflowDtos.SearchPage<>(list, token == null || token.isNull() ? null : token.asString());
    }

    /** Streams an artifact from the server's artifact proxy; the caller closes the stream. */
    public InputStream download(String artifactPath) {
        String operation = "download of artifact " + artifactPath;
        HttpResponse<InputStream> response = exchange(operation,
                request(ARTIFACTS + "/" + encodePath(artifactPath), Map.of()).GET().build(),
                BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            throw failure(operation, response, readAndClose(response.body()));
        }
        return response.body();
    }

    /** Streams {@code content} to the artifact proxy; {@code size} may be -1 (chunked). */
    public void upload(String artifactPath, InputStream content, long size) {
        BodyPublisher stream = BodyPublishers.ofInputStream(() -> content);
        BodyPublisher publisher = size >= 0 ? BodyPublishers.fromPublisher(stream, size) : stream;
        String operation = "upload of artifact " + artifactPath;
        HttpRequest request = request(ARTIFACTS + "/" + encodePath(artifactPath), Map.of())
                .header("Content-Type", "application/octet-stream").PUT(publisher).build();
        HttpResponse<String> response = exchange(operation, request, BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(operation, response, response.body());
        }
    }

    public void deleteArtifact(String artifactPath) {
        String operation = "delete of artifact " + artifactPath;
        HttpResponse<String> response = exchange(operation,
                request(ARTIFACTS + "/" + encodePath(artifactPath), Map.of()).DELETE().build(), BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(operation, response, response.body());
        }
    }

    /** Lists one directory level of the artifact proxy; entries carry basenames. */
    public List<MlflowDtos.FileInfo> listArtifacts(String directory) {
        JsonNode response = send("list of artifacts in " + directory,
                request(ARTIFACTS, Map.of("path", directory)).GET());
        return page(response, "files", MlflowDtos.FileInfo.class).items();
    }

    /**
     * The HTTP client, built on first use rather than when the connection opens: building a JDK HttpClient sets up
     * the default SSL context (reads the CA certificates, about 180 classes), which the hub's start-up need not
     * wait for, least of all for a plain-http URL.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /** Java 17's HttpClient has no close(); its threads end when it is unreachable. */
    @Override
    public void close() {
    }

    private JsonNode sendJson(String method, String endpoint, Map<String, ?> body) {
        String text = json.writeValueAsString(body);
        HttpRequest.Builder builder = request(API + endpoint, Map.of())
                .header("Content-Type", "application/json")
                .method(method, BodyPublishers.ofString(text, StandardCharsets.UTF_8));
        return send(method + " " + endpoint, builder);
    }

    private JsonNode send(String operation, HttpRequest.Builder builder) {
        HttpResponse<String> response = exchange(operation, builder.build(), BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(operation, response, response.body());
        }
        try {
            return json.readTree(response.body().isBlank() ? "{}" : response.body());
        } catch (JacksonException e) {
            throw MlflowErrors.unexpected(connection, operation, "not JSON", e);
        }
    }

    private <T> HttpResponse<T> exchange(String operation, HttpRequest request, BodyHandler<T> handler) {
        try {
            return http().send(request, handler);
        } catch (IOException e) {
            throw MlflowErrors.fromIo(connection, operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MlflowErrors.fromIo(connection, operation, new IOException("interrupted", e));
        } catch (UncheckedIOException e) {
            throw MlflowErrors.fromIo(connection, operation, e.getCause());
        }
    }

    private MlflowApiException failure(String operation, HttpResponse<?> response, String body) {
        return MlflowErrors.fromResponse(connection, operation, response.statusCode(), body,
                response.headers().firstValue("Retry-After"), clock);
    }

    private HttpRequest.Builder request(String path, Map<String, ?> query) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path + queryString(query)))
                .timeout(timeout)
                .header("Accept", "application/json");
        authorization.ifPresent(value -> builder.header("Authorization", value));
        workspace.ifPresent(value -> builder.header(WORKSPACE_HEADER, value));
        return builder;
    }

    private <T> T convert(JsonNode node, JavaType type, String field) {
        try {
            return json.treeToValue(node, type);
        } catch (JacksonException e) {
            throw MlflowErrors.unexpected(connection, "reading " + field, e.getOriginalMessage(), e);
        }
    }

    private static String queryString(Map<String, ?> query) {
        List<String> pairs = new ArrayList<>();
        new LinkedHashMap<>(query).forEach((key, value) -> {
            if (value instanceof List<?> list) {
                list.forEach(item -> pairs.add(encode(key) + "=" + encode(String.valueOf(item))));
            } else if (value != null) {
                pairs.add(encode(key) + "=" + encode(String.valueOf(value)));
            }
        });
        return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        return String.join("/", List.of(path.split("/")).stream().map(MlflowClient::encode).toList());
    }

    private static String readAndClose(InputStream in) {
        try (in) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Builds a request body, dropping {@code null} values (MLflow treats absent and unset alike). */
    public static Map<String, Object> body(Object... keysAndValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                body.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return body;
    }

    /** The same as {@link #body}, named for GET parameters. */
    public static Map<String, Object> query(Object... keysAndValues) {
        return body(keysAndValues);
    }
}
