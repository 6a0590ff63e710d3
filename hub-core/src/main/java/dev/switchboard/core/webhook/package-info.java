/**
 * Webhooks in and out. {@link dev.switchboard.core.webhook.WebhookIngress} is the framework-neutral handler behind
 * {@code POST /webhooks/{connection}}; the application maps its result to HTTP: {@code Accepted} to 202 (with the
 * counts), {@code Problem} to its status as {@code application/problem+json} (type, title, status, detail, plus the
 * {@code code} member) and, when present, a {@code Retry-After} header. The application should stop reading a body
 * beyond {@code switchboard.webhooks.max-body-bytes} itself (the ingress answers 413 for what it is given, but
 * cannot un-buffer it), and bound the time a body may take to arrive: the ingress reads what it is given, as slowly
 * as it comes. The hub app does both before the ingress reads, for connections that
 * {@link dev.switchboard.core.webhook.WebhookIngress#receivesWebhooks receive webhooks} only.
 *
 * <p>{@link dev.switchboard.core.webhook.StandardWebhooks} signs and verifies the Standard Webhooks scheme for
 * connectors; {@link dev.switchboard.core.webhook.WebhookJson} parses bodies under nesting and size limits; the
 * {@code webhook} connector ({@link dev.switchboard.core.webhook.OutboundWebhookConnector}) sends events out.
 */
package dev.switchboard.core.webhook;
