package dev.switchboard.core.store;

import dev.switchboard.model.CanonicalEvent;
import java.time.Instant;

/**
 * A canonical event as the inbox holds it.
 *
 * @param seq        the inbox position; consumers read in this order
 * @param event      the event
 * @param receivedAt when the hub stored it
 */
public record StoredEvent(long seq, CanonicalEvent event, Instant receivedAt) implements InboxEntry {
}
