package dev.switchboard.connector.kubeflow.common;

import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A thin client of Kubeflow's REST APIs (Pipelines {@code v2beta1} and Model Registry {@code v1alpha3}, both
 * grpc-gateway style with snake_case JSON) on {@link java.net.http.HttpClient}: JSON trees in and out, every
 * failure classified here. {@code Authorization: Bearer} when a token is set; a user-id header only when the
 * connection configures one (Istio refuses requests from outside the mesh that carry {@code kubeflow-userid}).
 * Shared by the two Kubeflow connectors, which otherwise know nothing of each other.
 */
public final class KubeflowClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final String connection;
    private final URI base;
    private final String api;
    private final Optional<String> token;
    private final Optional<Map.Entry<String, String>> userHeader;
    private final Duration timeout;
    private HttpClient http;

    /**
     * @param base the server's URL
     * @param api  the API's path on it ({@code /apis/v2beta1}, {@code /api/model_registry/v1alpha3})
     */
    public KubeflowClient(String connection, URI base, String api, Optional<String> token,
                          Optional<Map.Entry<String, String>> userHeader, Duration timeout) {
        this.connection = connection;
        this.base = base;
        this.api = api;
        this.token = token;
        this.userHeader = userHeader;
        this.timeout = timeout;
    }

    /**
     * An answer other than 2xx. Pipelines sends a google.rpc.Status {@code {"code": <gRPC code>, "message"}}, the
     * registry {@code {"code": "<status text>", "message"}}.
     */
    public static final class KubeflowApiException extends ConnectorException {
        private final int status;

        KubeflowApiException(ErrorKind kind, String connection, String message, Duration retryAfter, int status,
                             Throwable cause) {
            super(kind, connection, message, retryAfter, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    public JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path + queryString(query), null);
    }

    /** A GET that answers empty on 404 (find-one and get-by-id of a missing object). */
    public Optional<JsonNode> find(String path, Map<String, ?> query) {
        try {
            return Optional.of(get(path, query));
        } catch (KubeflowApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, JsonNode body) {
        return send("PATCH", path, body);
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    private JsonNode send(String method, String pathAndQuery, JsonNode body) {
        String operation = method + " " + pathAndQuery;
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + api + pathAndQuery)).timeout(timeout)
                .header("Accept", "application/json");
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        userHeader.ifPresent(h -> builder.header(h.getKey(), h.getValue()));
        if (body == null) {
            builder.method(method, BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http().send(builder.build(), BodyHandlers.ofString());
        } catch (IOException | UncheckedIOException e) {
            String what = e instanceof HttpTimeoutException ? "timed out" : "failed: " + e.getClass().getSimpleName();
            throw new KubeflowApiException(ErrorKind.TRANSIENT, connection, operation + " " + what, null, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubeflowApiException(ErrorKind.TRANSIENT, connection, operation + " interrupted", null, 0, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(connection, operation, response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After"));
        }
        try {
            return JSON.readTree(response.body() == null || response.body().isBlank() ? "{}" : response.body());
        } catch (JacksonException e) {
            throw new KubeflowApiException(ErrorKind.SYSTEM, connection, operation
                    + " returned an unexpected payload: not JSON", null, response.statusCode(), e);
        }
    }

    /**
     * Classifies a non-2xx answer by HTTP status (grpc-gateway maps the gRPC code onto it): 400, 401, 403, 404, 409
     * and 422 are the caller's fault, 408, 429 and 5xx (Unavailable, Internal, DeadlineExceeded) are worth a retry.
     */
    static KubeflowApiException failure(String connection, String operation, int status, String body,
                                        Optional<String> retryAfter) {
        String detail = abbreviate(body);
        try {
            JsonNode node = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            if (node.hasNonNull("message")) {
                String code = node.path("code").asString("?");
                detail = (code.matches("\\d+") ? "gRPC code " + code : code) + ": "
                        + abbreviate(node.get("message").asString());
            }
        } catch (RuntimeException notJson) {
            // a proxy's HTML page: keep the text
        }
        ErrorKind kind = status == 429 || status == 408 || status >= 500 ? ErrorKind.TRANSIENT : ErrorKind.CONFIGURATION;
        Duration wait = retryAfter.flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).orElse(null);
        return new KubeflowApiException(kind, connection, operation + " failed with HTTP " + status
                + (detail.isEmpty() ? "" : " (" + detail + ")"), wait, status, null);
    }

    private static String queryString(Map<String, ?> query) {
        List<String> pairs = new ArrayList<>();
        new LinkedHashMap<>(query).forEach((key, value) -> {
            if (value != null) {
                pairs.add(encode(key) + "=" + encode(String.valueOf(value)));
            }
        });
        return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
    }

    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_BODY_IN_MESSAGE ? oneLine : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "…";
    }

    /** A query map that keeps insertion order and drops nulls. */
    public static Map<String, Object> query(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }
}
