package dev.switchboard.core.webhook;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import tools.jackson.core.JacksonException;

/**
 * Receives webhooks ({@code POST /webhooks/{connection}}) without knowing the HTTP framework: the app passes the
 * raw request in and maps the {@link Result} to a response (a {@link Problem} as RFC 9457
 * {@code application/problem+json}).
 *
 * <p>In order: the connection must exist and be an event source (404), the body must fit the size limit (413;
 * a declared {@code Content-Length} over it is refused unread), headers must be free of control characters and
 * {@code Content-Type} sent once (400); the media type must be one the connection accepts (JSON by default), with
 * no charset but UTF-8 and no {@code Content-Encoding} (415); a JSON body must be strict UTF-8 holding one JSON
 * value within {@link WebhookJson}'s limits and without duplicate keys (400). Then the connection verifies and
 * translates the webhook (a header it reads that was sent twice is 400, see {@link WebhookRequest#header}), and
 * the events are appended to the inbox, committed, before {@link Accepted} is returned. Anything rejected stores
 * nothing.
 *
 * <p><b>Unsupported event types are acknowledged, not refused.</b> When a connection says a well-formed, verified
 * webhook is of a kind it does not translate ({@link WebhookRejectedException.Reason#UNSUPPORTED}), the result is
 * {@link Accepted} (202) with nothing stored and the reason in {@link Accepted#ignored()}, and it is counted as
 * {@code outcome=ignored}. A 422 would make senders retry a message that can never succeed, and some disable an
 * endpoint after repeated failures, taking the supported events down with it; the webhook is authentic, so
 * acknowledging it is safe, and the metric and log keep the ignoring visible.
 *
 * <p><b>The sender's mistakes are 4xx, the hub's 5xx.</b> A value the canonical model refuses (a time outside
 * four-digit years, an id or subject longer than the inbox holds, NUL in a string; see
 * {@link CanonicalEvent}) is 400 with nothing stored, so no event enters the inbox that cannot be read back. Only a
 * store that cannot be reached is 503 (retry later); a connector's own failure is 500.
 *
 * <p>Details never contain a secret or a computed signature, and echo request values only when they are plain
 * (a hostile connection name is not reflected).
 */
public final class WebhookIngress {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookIngress.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9.!#$&^_+-]+/[a-z0-9.!#$&^_+-]+");
    private static final int MAX_DETAIL = 300;

    /** What the app answers; {@link #status()} is the HTTP status. */
    public sealed interface Result permits Accepted, Problem {
        int status();
    }

    /**
     * The webhook is stored (202).
     *
     * @param connection the connection
     * @param stored     events new to the inbox
     * @param duplicates events the inbox held already (a redelivered webhook)
     * @param ignored    why a verified webhook of an unsupported kind stored nothing; empty otherwise
     */
    public record Accepted(String connection, int stored, int duplicates, Optional<String> ignored) implements Result {
        @Override
        public int status() {
            return 202;
        }
    }

    /**
     * The webhook is refused, or could not be handled: an RFC 9457 problem with {@code type} {@code about:blank}.
     *
     * @param status     the HTTP status
     * @param title      the status's phrase
     * @param detail     what was wrong, for the sender (never a secret)
     * @param code       a stable machine-readable reason ({@code bad_signature}), also the metric's reason tag
     * @param retryAfter for 503: when to try again
     */
    public record Problem(int status, String title, String detail, String code, Optional<Duration> retryAfter)
            implements Result {

        /** Always {@code about:blank}: the status and code say what kind of problem it is. */
        public String type() {
            return "about:blank";
        }
    }

    private final ConnectionRegistry connections;
    private final InboxStore inbox;
    private final HubConfig.Webhooks settings;
    private final MeterRegistry meters;
    private final Clock clock;
    private final RejectionLog rejections;
    private final Tracing tracing;

    public WebhookIngress(ConnectionRegistry connections, InboxStore inbox, HubConfig.Webhooks settings,
                          MeterRegistry meters, Clock clock) {
        this(connections, inbox, settings, meters, clock, Tracing.OFF);
    }

    /** An ingress whose verified webhooks each get a {@code webhook.receive} span, the root of their work's trace. */
    public WebhookIngress(ConnectionRegistry connections, InboxStore inbox, HubConfig.Webhooks settings,
                          MeterRegistry meters, Clock clock, Tracing tracing) {
        this.tracing = tracing;
        this.connections = connections;
        this.inbox = inbox;
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
        this.rejections = new RejectionLog(clock, RejectionLog.INTERVAL);
    }

    /**
     * Handles one webhook.
     *
     * @param connection  the connection named in the URL
     * @param headers     the request headers, names in any case
     * @param body        the raw body
     * @param contentType the {@code Content-Type} header, or null
     */
    public Result receive(String connection, Map<String, List<String>> headers, byte[] body, String contentType) {
        Either<EventSource> source = eventSource(connection);
        if (source.problem() != null) {
            return source.problem();
        }
        byte[] raw = body == null ? new byte[0] : body;
        if (raw.length > settings.maxBodyBytes()) {
            return tooLarge(connection, raw.length + " bytes");
        }
        Optional<Problem> badRequest = checkHeaders(connection, source.value(), headers, contentType);
        if (badRequest.isPresent()) {
            return badRequest.get();
        }
        if (isJson(mediaType(contentType).orElseThrow())) {
            try {
                WebhookJson.check(raw);
            } catch (WebhookRejectedException e) {
                return reject(connection, 400, "malformed", e.getMessage());
            }
        }
        return translateAndStore(connection, source.value(), new WebhookRequest(connection, headers, raw,
                clock.instant()));
    }

    /**
     * Handles one webhook whose body is still to be read: a body the sender declares too large is refused before a
     * byte of it is read (and a body to an unknown connection is never read), and no more than the limit plus one
     * byte is ever read, whatever the sender declared or did not declare (a chunked body has no length).
     *
     * @param declaredLength the {@code Content-Length}, or -1 when there is none
     * @param body           the body as it arrives; read here, not closed
     */
    public Result receive(String connection, Map<String, List<String>> headers, InputStream body, long declaredLength,
                          String contentType) {
        Either<EventSource> source = eventSource(connection);
        if (source.problem() != null) {
            return source.problem();
        }
        if (declaredLength > settings.maxBodyBytes()) {
            return tooLarge(connection, "declared as " + declaredLength + " bytes (Content-Length)");
        }
        byte[] raw;
        try {
            raw = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBodyBytes() + 1));
        } catch (IOException e) {
            // A client that declared more than it sent, or sends too slowly: the caller's deadline ends it (the hub
            // app reads bodies within switchboard.webhooks.body-timeout before they get here).
            boolean timedOut = false;
            for (Throwable cause = e; cause != null && !timedOut; cause = cause.getCause()) {
                timedOut = cause instanceof SocketTimeoutException;
            }
            return reject(connection, timedOut ? 408 : 400, "incomplete_body", "the body could not be read to its end"
                    + (declaredLength >= 0 ? " (Content-Length " + declaredLength + ")" : "")
                    + (timedOut ? ": no more of it came in time" : ": it was cut short"));
        }
        return receive(connection, headers, raw, contentType);
    }

    /**
     * Whether {@code connection} names a configured connection that receives webhooks: the app reads a webhook's
     * body only then, so a body sent to any other name is never read. Counts and logs nothing; {@link #receive}
     * refuses the others with 404.
     */
    public boolean receivesWebhooks(String connection) {
        return connection != null && SAFE_NAME.matcher(connection).matches()
                && connections.find(connection).flatMap(entry -> entry.connection().eventSource()).isPresent();
    }

    /** A value, or the problem why there is none. */
    private record Either<T>(T value, Problem problem) {
    }

    private Either<EventSource> eventSource(String connection) {
        if (connection == null || !SAFE_NAME.matcher(connection).matches()) {
            return new Either<>(null, reject("unknown", 404, "unknown_connection",
                    "no webhook endpoint exists for this connection name"));
        }
        Optional<EventSource> source = connections.find(connection).flatMap(entry -> entry.connection().eventSource());
        if (source.isEmpty()) {
            boolean exists = connections.find(connection).isPresent();
            String why = exists ? "connection " + connection + " does not receive webhooks"
                    : "no connection named " + connection + " is configured (names are case-sensitive)";
            return new Either<>(null, reject(exists ? connection : "unknown", 404, "unknown_connection", why));
        }
        return new Either<>(source.get(), null);
    }

    private Problem tooLarge(String connection, String size) {
        return reject(connection, 413, "too_large", "body is " + size + "; connection " + connection
                + " accepts at most " + settings.maxBodyBytes() + " bytes (webhooks.max-body-bytes)");
    }

    /** Content-Type, Content-Encoding and header hygiene, before the connection sees anything. */
    private Optional<Problem> checkHeaders(String connection, EventSource source, Map<String, List<String>> headers,
                                           String contentType) {
        Optional<String> badHeader = headerWithControlCharacters(headers);
        if (badHeader.isPresent()) {
            return Optional.of(reject(connection, 400, "malformed", badHeader.get()));
        }
        if (values(headers, "Content-Type").size() > 1) {
            return Optional.of(reject(connection, 400, "malformed", "header Content-Type was sent more than once"));
        }
        Optional<String> mediaType = mediaType(contentType);
        if (mediaType.isEmpty() || !source.acceptsMediaType(mediaType.get())) {
            return Optional.of(reject(connection, 415, "unsupported_media_type", "Content-Type "
                    + mediaType.map(type -> "\"" + type + "\" is not accepted").orElse("is missing or malformed")
                    + "; connection " + connection + " accepts JSON (application/json)"));
        }
        Optional<String> charset = charset(contentType);
        if (charset.isPresent() && !charset.get().equals("utf-8")) {
            return Optional.of(reject(connection, 415, "unsupported_media_type", "Content-Type charset "
                    + (SAFE_NAME.matcher(charset.get()).matches() ? charset.get() : "(not shown)")
                    + " is not accepted; webhook bodies must be UTF-8"));
        }
        List<String> encodings = values(headers, "Content-Encoding");
        if (encodings.stream().anyMatch(encoding -> !encoding.trim().equalsIgnoreCase("identity"))) {
            // Signatures are over the bytes as sent; none of the tools compresses its webhooks.
            return Optional.of(reject(connection, 415, "unsupported_media_type",
                    "Content-Encoding is not accepted; send the body uncompressed"));
        }
        return Optional.empty();
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return List.of();
        }
        return headers.entrySet().stream().filter(header -> name.equalsIgnoreCase(header.getKey()))
                .flatMap(header -> header.getValue() == null ? java.util.stream.Stream.<String>empty()
                        : header.getValue().stream())
                .toList();
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    private Result translateAndStore(String connection, EventSource source, WebhookRequest request) {
        try (Tracing.Scope span = tracing.start("webhook.receive").tag("switchboard.connection", connection)) {
            Result result = translateAndStoreTraced(connection, source, request);
            span.tag("http.response.status_code", result.status());
            return result;
        }
    }

    private Result translateAndStoreTraced(String connection, EventSource source, WebhookRequest request) {
        List<CanonicalEvent> events;
        try {
            events = source.receive(request);
        } catch (WebhookRejectedException e) {
            if (e.reason() == WebhookRejectedException.Reason.UNSUPPORTED) {
                count(connection, "ignored", "unsupported", 1);
                LOG.info("Webhook to connection {} ignored: {}", connection, e.getMessage());
                return new Accepted(connection, 0, 0, Optional.of(plain(e.getMessage())));
            }
            return reject(connection, e.reason().status(), e.reason().name().toLowerCase(Locale.ROOT), e.getMessage());
        } catch (JacksonException e) {
            // The connector parsed with its own mapper; the ingress still owes the sender a 400.
            return reject(connection, 400, "malformed", "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException | DateTimeException e) {
            // Canonical records validate their fields (lengths, times, text), and java.time refuses out-of-range
            // values: the payload carried values the hub cannot store and read back, which no retry changes.
            return reject(connection, 400, "malformed", "connection " + connection
                    + " could not translate the webhook: " + e.getMessage());
        } catch (ConnectorException e) {
            LOG.warn("Connection {} failed on a webhook: {}", connection, e.getMessage());
            if (e.isRetryable()) {
                return problem(connection, 503, "connector_unavailable", e.getMessage(),
                        Optional.of(e.retryAfter().orElse(Duration.ofSeconds(30))));
            }
            return problem(connection, 500, "connector_error", e.getMessage(), Optional.empty());
        } catch (RuntimeException e) {
            LOG.error("Connection {} failed on a webhook", connection, e);
            return problem(connection, 500, "connector_error", "connection " + connection
                    + " failed to process the webhook; the hub's log has the details", Optional.empty());
        }
        return store(connection, events);
    }

    private Result store(String connection, List<CanonicalEvent> events) {
        try {
            List<StoredEvent> stored = events.isEmpty() ? List.of() : inbox.append(events);
            int duplicates = events.size() - stored.size();
            count(connection, "accepted", "none", stored.size());
            count(connection, "duplicate", "none", duplicates);
            return new Accepted(connection, stored.size(), duplicates, Optional.empty());
        } catch (DataAccessException | TransactionException e) {
            LOG.error("Webhook to connection {} could not be stored: {}", connection, e.getMessage());
            return problem(connection, 503, "store_unavailable", "the hub could not store the webhook; send it again later",
                    Optional.of(Duration.ofSeconds(30)));
        }
    }

    /** The {@code charset} parameter of a Content-Type, in lower case; empty when there is none. */
    private static Optional<String> charset(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("charset")) {
                return Optional.of(parameter[1].trim().replace("\"", "").toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return MEDIA_TYPE.matcher(type).matches() ? Optional.of(type) : Optional.empty();
    }

    /** CR, LF or NUL in a header smuggles a second header or request past proxies; refuse it outright. */
    private static Optional<String> headerWithControlCharacters(Map<String, List<String>> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            boolean badName = name == null || hasControlCharacters(name);
            boolean badValue = header.getValue() == null
                    || header.getValue().stream().anyMatch(value -> value == null || hasControlCharacters(value));
            if (badName || badValue) {
                String shown = !badName && SAFE_NAME.matcher(name).matches() ? "header " + name : "a header name";
                return Optional.of(shown + " contains control characters (CR, LF or NUL)");
            }
        }
        return Optional.empty();
    }

    private static boolean hasControlCharacters(String value) {
        return value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0);
    }

    private Problem reject(String connection, int status, String code, String detail) {
        return problem(connection, status, code, detail, Optional.empty());
    }

    private Problem problem(String connection, int status, String code, String detail, Optional<Duration> retryAfter) {
        count(connection, "rejected", code, 1);
        Problem problem = new Problem(status, title(status), plain(detail), code, retryAfter);
        if (status < 500) {
            // the hub's own failures are logged where they happen
            rejections.line(connection, status, code, problem.detail()).ifPresent(LOG::warn);
        }
        return problem;
    }

    private void count(String connection, String outcome, String reason, int amount) {
        if (amount > 0) {
            Counter.builder("switchboard.webhooks").tag("connection", connection).tag("outcome", outcome)
                    .tag("reason", reason).register(meters).increment(amount);
        }
    }

    /** A detail fit to send back: no control characters, bounded length. */
    private static String plain(String detail) {
        String text = detail == null ? "" : detail.replaceAll("\\p{Cntrl}", " ");
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }
}
