package dev.switchboard.model;

import java.net.URI;
import java.time.Instant;

/**
 * A canonical event: the CloudEvents 1.0 envelope around one {@link EventData} payload. Everything that
 * enters the hub, by webhook or by polling, becomes one of these, and routes consume them.
 *
 * <p>Identity is {@code (source, id)}: the inbox stores an event once per pair, so a redelivered webhook
 * is acknowledged and not stored twice.
 *
 * <p><b>Limits.</b> Whatever a record of this model holds can be stored and read back, so a value the store or the
 * codec could not hold is refused here, when the connector builds the event, and a webhook carrying it is the
 * sender's error (400) with nothing stored. {@code id} and {@code source} are at most {@value #MAX_ID_LENGTH}
 * characters and {@code subject} at most {@value #MAX_SUBJECT_LENGTH} (the inbox's columns; a character is a UTF-16
 * code unit, which PostgreSQL's count never exceeds); every instant in the event, {@code time} and those in
 * {@code data}, is within {@link #EARLIEST_TIME} and {@link #LATEST_TIME}: RFC 3339's four-digit years, which the
 * codec writes and reads back unchanged and both H2 and PostgreSQL {@code TIMESTAMP WITH TIME ZONE} hold; every
 * string is well-formed Unicode without NUL (non-finite metrics are allowed: the codec writes them as strings the
 * schemas accept). Payload strings are otherwise unbounded
 * (the payload column is unbounded; the webhook body limit bounds them). Messages name the field and quote the bad
 * value, cut short.
 *
 * <p>A {@code ci_run.started} event carries a run that is not terminal, and {@code ci_run.finished} one that is
 * ({@link RunStatus#isTerminal()}), so a route can rely on the type alone.
 *
 * @param id      unique within {@code source}; for webhooks the vendor's delivery id where it has one; at most
 *                {@value #MAX_ID_LENGTH} characters
 * @param source  the connection the event came from, as a URI reference ({@code /connections/mlflow-prod}); at most
 *                {@value #MAX_SOURCE_LENGTH} characters
 * @param type    what happened
 * @param subject the object it happened to, used for per-subject ordering ({@code models/churn/versions/3}); at
 *                most {@value #MAX_SUBJECT_LENGTH} characters
 * @param time    when it happened in the source tool (or when the hub saw it, if the tool does not say)
 * @param data    the payload, of {@code type.dataType()}
 */
public record CanonicalEvent(String id, URI source, EventType type, String subject, Instant time, EventData data) {

    /** The longest {@code id}: the inbox's {@code event_id} column. */
    public static final int MAX_ID_LENGTH = 512;
    /** The longest {@code source}, as text: the inbox's {@code source} column. */
    public static final int MAX_SOURCE_LENGTH = 512;
    /** The longest {@code subject}: the inbox's and the outbox's {@code subject} columns. */
    public static final int MAX_SUBJECT_LENGTH = 1024;
    /** The earliest instant any record holds: the start of year 0000 (RFC 3339 has four-digit years). */
    public static final Instant EARLIEST_TIME = Instant.parse("0000-01-01T00:00:00Z");
    /** The latest instant any record holds: the end of year 9999. */
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

    public CanonicalEvent {
        Checks.requireText("id", id, MAX_ID_LENGTH);
        Checks.requireNonNull("source", source);
        Checks.requireText("source", source.toString(), MAX_SOURCE_LENGTH);
        Checks.requireNonNull("type", type);
        Checks.requireText("subject", subject, MAX_SUBJECT_LENGTH);
        Checks.requireTime("time", time);
        Checks.requireNonNull("data", data);
        if (!type.dataType().isInstance(data)) {
            throw new IllegalArgumentException("data must be a " + type.dataType().getSimpleName() + " for type "
                    + type + ", but was a " + data.getClass().getSimpleName());
        }
        if (data instanceof CiRun run && (type == EventType.CI_RUN_FINISHED) != run.status().isTerminal()) {
            throw new IllegalArgumentException("data.status must be " + (run.status().isTerminal()
                    ? "QUEUED or RUNNING for type " : "terminal for type ") + type + ", but was " + run.status());
        }
    }

    /** The source URI the hub uses for events that came through a connection. */
    public static URI sourceOf(String connection) {
        return URI.create("/connections/" + connection);
    }

    /** The connection name in {@link #sourceOf(String)} form, or the whole source when it is not of that form. */
    public String sourceConnection() {
        String path = source.toString();
        return path.startsWith("/connections/") ? path.substring("/connections/".length()) : path;
    }
}
