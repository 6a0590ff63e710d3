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
 * @param id      unique within {@code source}; for webhooks the vendor's delivery id where it has one
 * @param source  the connection the event came from, as a URI reference ({@code /connections/mlflow-prod})
 * @param type    what happened
 * @param subject the object it happened to, used for per-subject ordering ({@code models/churn/versions/3})
 * @param time    when it happened in the source tool (or when the hub saw it, if the tool does not say)
 * @param data    the payload, of {@code type.dataType()}
 */
public record CanonicalEvent(String id, URI source, EventType type, String subject, Instant time, EventData data) {

    public CanonicalEvent {
        Checks.requireText("id", id);
        Checks.requireNonNull("source", source);
        Checks.requireNonNull("type", type);
        Checks.requireText("subject", subject);
        Checks.requireNonNull("time", time);
        Checks.requireNonNull("data", data);
        if (!type.dataType().isInstance(data)) {
            throw new IllegalArgumentException("data must be a " + type.dataType().getSimpleName() + " for type "
                    + type + ", but was a " + data.getClass().getSimpleName());
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
