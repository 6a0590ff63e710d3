package dev.switchboard.core.store;

import java.time.Instant;

/**
 * One row of the inbox as a reader gets it: the event ({@link StoredEvent}), or, for a row whose stored form cannot
 * be decoded, what the row's columns still say and why ({@link UnreadableEvent}). The model refuses what it could not
 * read back, so an unreadable row comes from outside the hub's write path (a row written by hand, an older hub with
 * other rules, a damaged database); readers pass it by instead of stopping on it.
 */
public sealed interface InboxEntry permits StoredEvent, UnreadableEvent {

    /** The inbox position. */
    long seq();

    /** When the hub stored it. */
    Instant receivedAt();
}
