package dev.switchboard.connector.openlineage;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One OpenLineage endpoint. {@code emit-run-event} posts one event; 2xx is done, 408, 429 and 5xx are transient
 * (retried by the outbox, honouring {@code Retry-After}), other 4xx a configuration error (the backend refused the
 * event: it is dead-lettered with the backend's answer). Posting the same event twice is harmless: backends keep
 * one state per run and event type.
 */
final class OpenLineageConnection implements Connection, ActionTarget {

    private static final int MAX_DETAIL = 300;

    private final OpenLineageOptions.Settings settings;
    private final Clock clock;
    /** Built on first use: a connection that never emits starts no HTTP client threads. */
    private HttpClient http;

    OpenLineageConnection(OpenLineageOptions.Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** The endpoint only takes events, and an event would be recorded: the check only asks whether it answers. */
    @Override
    public CheckResult check(Duration timeout) {
        String tool = "OpenLineage endpoint " + settings.url();
        return CheckResult.probe(name(), tool, timeout, () -> send(HttpRequest.newBuilder(settings.url()).timeout(timeout)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()), "reaching the OpenLineage endpoint"),
                tool + " answers");
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(this);
    }

    @Override
    public Set<String> actions() {
        return Set.of(OpenLineageEvents.ACTION);
    }

    @Override
    public List<Action> describe() {
        return List.of(OpenLineageEvents.describe());
    }

    @Override
    public Result perform(Request request) {
        if (!OpenLineageEvents.ACTION.equals(request.action())) {
            throw ConnectorException.configuration(name(), "unknown action " + request.action() + "; connection "
                    + name() + " offers: " + OpenLineageEvents.ACTION);
        }
        String event = OpenLineageEvents.build(settings, request, clock.instant());
        HttpRequest.Builder post = HttpRequest.newBuilder(settings.url()).timeout(settings.requestTimeout())
                .header("Content-Type", "application/json").header("User-Agent", "switchboard-hub")
                .POST(HttpRequest.BodyPublishers.ofString(event, StandardCharsets.UTF_8));
        settings.apiKey().ifPresent(key -> post.header("Authorization", "Bearer " + key));
        HttpResponse<String> response = send(post, "posting the OpenLineage event");
        int status = response.statusCode();
        if (status / 100 == 2) {
            return new Result(null, Map.of("run-id", runId(event)));
        }
        String what = "OpenLineage endpoint answered HTTP " + status + detail(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Optional<Duration> wait = response.headers().firstValue("retry-after").flatMap(OpenLineageConnection::seconds);
            throw wait.map(d -> ConnectorException.retryAfter(name(), what, d))
                    .orElseGet(() -> new ConnectorException(ErrorKind.TRANSIENT, name(), what, null, null));
        }
        throw ConnectorException.configuration(name(), what);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String what) {
        try {
            return http().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw ConnectorException.transientFailure(name(), what + " timed out", e);
        } catch (IOException e) {
            throw ConnectorException.transientFailure(name(), what + " failed: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.transientFailure(name(), what + " was interrupted", e);
        }
    }

    private static String runId(String event) {
        int at = event.indexOf("\"runId\":\"") + "\"runId\":\"".length();
        return event.substring(at, event.indexOf('"', at));
    }

    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String plain = body.replaceAll("\\p{Cntrl}", " ").trim();
        return ": " + (plain.length() <= MAX_DETAIL ? plain : plain.substring(0, MAX_DETAIL) + "…");
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
        }
        return http;
    }
}
