package dev.switchboard.core.store;

import java.time.Instant;

/**
 * An inbox row whose payload cannot be decoded into a canonical event, with what its columns say.
 *
 * @param seq        the inbox position
 * @param source     the {@code source} column (a URI reference such as {@code /connections/mlflow-prod})
 * @param id         the {@code event_id} column
 * @param type       the {@code type} column: a type name, possibly not a known one
 * @param subject    the {@code subject} column
 * @param time       the {@code event_time} column, or {@code null} when it cannot be read either
 * @param receivedAt when the hub stored it
 * @param reason     why the payload cannot be decoded (the codec's message: which attribute or field, which value)
 */
public record UnreadableEvent(long seq, String source, String id, String type, String subject, Instant time,
                              Instant receivedAt, String reason) implements InboxEntry {

    /** The connection name in {@code /connections/<name>} form, or the whole source when it is not of that form. */
    public String sourceConnection() {
        return source != null && source.startsWith("/connections/") ? source.substring("/connections/".length()) : source;
    }
}
