package dev.switchboard.core.store;

import java.time.Instant;

/**
 * A search of the inbox, newest first. Every field is optional ({@code null}).
 *
 * @param type          the event type's short name
 * @param subject       the subject, or a prefix ending in {@code *}
 * @param source        the connection the events came from
 * @param receivedFrom  received at or after
 * @param receivedTo    received before
 * @param beforeSeq     only events older than this position (the paging cursor)
 */
public record EventQuery(String type, String subject, String source, Instant receivedFrom, Instant receivedTo,
                         Long beforeSeq) {
}
