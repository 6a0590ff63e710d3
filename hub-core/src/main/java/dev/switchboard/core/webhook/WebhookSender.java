package dev.switchboard.core.webhook;

import dev.switchboard.core.event.EventCodec;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code webhook} connector's action target: POSTs the event as CloudEvents structured JSON with Standard
 * Webhooks headers, and classifies the answer: 2xx done; 429, 5xx and I/O failures TRANSIENT (with the server's
 * {@code Retry-After}); any other status CONFIGURATION (the receiver rejects what we send, retrying cannot help).
 */
final class WebhookSender implements ActionTarget {

    static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

    private final String connection;
    private final URI url;
    private final StandardWebhooks signer;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final EventCodec codec = new EventCodec();

    WebhookSender(String connection, URI url, StandardWebhooks signer, HttpClient client, Duration timeout, Clock clock) {
        this.connection = connection;
        this.url = url;
        this.signer = signer;
        this.client = client;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public Set<String> actions() {
        return Set.of(OutboundWebhookConnector.SEND_EVENT);
    }

    @Override
    public List<Action> describe() {
        return List.of(Action.of(OutboundWebhookConnector.SEND_EVENT, "POSTs the event as a signed CloudEvent to the "
                + "connection's url; takes no parameters"));
    }

    @Override
    public Result perform(Request request) {
        if (!OutboundWebhookConnector.SEND_EVENT.equals(request.action())) {
            throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; connection " + connection + " offers: " + OutboundWebhookConnector.SEND_EVENT);
        }
        byte[] body = codec.toJson(request.event());
        HttpRequest.Builder post = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signer.headers(request.idempotencyKey(), clock.instant(), body).forEach(post::header);
        HttpResponse<Void> response = send(post.build());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Result(null, Map.of("status", String.valueOf(status)));
        }
        String message = "POST to " + target() + " answered " + status;
        if (status == 429 || status >= 500) {
            Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(this::parseRetryAfter);
            if (retryAfter.isPresent()) {
                throw ConnectorException.retryAfter(connection, message, retryAfter.get());
            }
            throw ConnectorException.transientFailure(connection, message, null);
        }
        throw ConnectorException.configuration(connection, message + "; the receiver rejects the event, check its "
                + "URL and that it shares this connection's secret");
    }

    /**
     * Sends {@code request}, once more at once when the connection broke before any answer came. The JDK client
     * reuses a pooled connection that the receiver closed while it was idle, and, unlike OkHttp or Apache's client,
     * retries only GET and HEAD then; receivers commonly close idle connections after 5 to 75 s, so without this a
     * POST after a quiet spell failed now and then (TargetOutageIT: the breaker's half-open trial, 30 s after the
     * last call, met WireMock's 30 s idle timeout and opened the breaker again). Sending twice is safe: the
     * receiver de-duplicates on {@code webhook-id}. A timeout or a refused connection is not retried: the receiver
     * is slow or down, and the engine's backoff is the answer.
     */
    private HttpResponse<Void> send(HttpRequest request) {
        try {
            try {
                return client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (HttpTimeoutException | ConnectException slowOrDown) {
                throw slowOrDown;
            } catch (IOException broken) {
                return client.send(request, HttpResponse.BodyHandlers.discarding());
            }
        } catch (IOException e) {
            throw ConnectorException.transientFailure(connection, "POST to " + target() + " failed: "
                    + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.transientFailure(connection, "POST to " + target() + " was interrupted", e);
        }
    }

    /** {@code Retry-After} is seconds or an HTTP date; anything else is ignored (the engine's backoff applies). */
    private Optional<Duration> parseRetryAfter(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** The URL without user info or query, which may hold credentials: fit for messages. */
    String target() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getPath() == null ? "" : url.getPath());
    }
}
