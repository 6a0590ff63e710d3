package dev.switchboard.spi;

import dev.switchboard.model.CanonicalEvent;

/**
 * Where canonical events come from: webhooks the tool sends, and polling for what webhooks missed (many tools
 * deliver webhooks fire-and-forget, so a missed webhook must not be a missed event).
 */
public interface EventSource {

    /**
     * Verifies a webhook over its raw body (signature, timestamp window) and translates it into canonical
     * events. Must not store anything: the hub stores the returned events before it answers 2xx.
     *
     * <p>Each returned event's {@code id} must be stable across redeliveries of the same webhook (use the
     * vendor's delivery id), so the inbox stores it once. An empty list acknowledges a webhook that carries no
     * event (a GitHub {@code ping}).
     *
     * @throws WebhookRejectedException when the webhook must not be accepted, with the reason
     */
    java.util.List<CanonicalEvent> receive(WebhookRequest request);

    /**
     * Whether webhooks with this media type (lower case, without parameters: {@code application/json}) may be
     * passed to {@link #receive}; the ingress answers 415 for others without calling it. The default accepts JSON:
     * {@code application/json} and {@code application/<anything>+json}. Override for a tool that sends another
     * type (form-encoded payloads, for example).
     */
    default boolean acceptsMediaType(String mediaType) {
        return "application/json".equals(mediaType)
                || mediaType != null && mediaType.matches("application/[a-z0-9.!#$&^_-]+\\+json");
    }

    /**
     * Whether {@link #poll} finds changes. The hub runs a poller only for event sources that say so (on a schedule,
     * on one instance at a time); one that cannot poll keeps this default and answers {@link #poll} with nothing.
     */
    default boolean polls() {
        return false;
    }

    /**
     * Finds changes since {@code cursor}. Events must be stable: polling again from the same cursor yields
     * events with the same ids, so the inbox de-duplicates overlaps, and resuming from the returned cursor
     * skips nothing. Connectors that cannot poll return an empty result with the cursor unchanged.
     *
     * @param cursor what a previous poll returned, or {@code null} for "from now on"
     */
    PollResult poll(String cursor);

    /**
     * The result of one {@link #poll}.
     *
     * @param events the changes found, oldest first
     * @param cursor where the next poll starts; the hub saves it only after the events are stored
     */
    record PollResult(java.util.List<CanonicalEvent> events, String cursor) {

        public PollResult {
            events = events == null ? java.util.List.of() : java.util.List.copyOf(events);
        }
    }
}
