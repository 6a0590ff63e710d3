package dev.switchboard.spi;

/** How a failure should be handled; each connector classifies its vendor's errors into one of these. */
public enum ErrorKind {
    /**
     * The configuration or the request is wrong (bad credentials, unknown object, invalid value): retrying
     * cannot help. The delivery is parked as a dead letter at once.
     */
    CONFIGURATION,
    /**
     * The tool is temporarily unable (HTTP 429, 5xx, timeouts, connection resets): retried with backoff,
     * honouring {@link ConnectorException#retryAfter()} when the tool says when to come back.
     */
    TRANSIENT,
    /** A bug: in the connector, the hub, or a response the connector did not expect. Not retried. */
    SYSTEM
}
