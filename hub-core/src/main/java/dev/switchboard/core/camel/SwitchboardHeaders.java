package dev.switchboard.core.camel;

import org.apache.camel.spi.Metadata;

/**
 * Headers the {@code switchboard:} component sets on exchanges; routes may read them. The {@link Metadata} on each
 * constant is what Camel tooling (the component catalog, Kaoto) shows for it.
 */
public final class SwitchboardHeaders {

    /** The event's inbox position (long). */
    @Metadata(description = "The event's position in the inbox", javaType = "long", label = "consumer")
    public static final String EVENT_SEQ = "SwitchboardEventSeq";
    /** The event's id. */
    @Metadata(description = "The event's id", javaType = "String", label = "consumer")
    public static final String EVENT_ID = "SwitchboardEventId";
    /** The event's type, short name ({@code model_version.created}). */
    @Metadata(description = "The event's type, short name (model_version.created)", javaType = "String", label = "consumer")
    public static final String EVENT_TYPE = "SwitchboardEventType";
    /** The connection the event came from. */
    @Metadata(description = "The connection the event came from", javaType = "String", label = "consumer")
    public static final String EVENT_SOURCE = "SwitchboardEventSource";
    /** The event's subject. */
    @Metadata(description = "The event's subject", javaType = "String", label = "consumer")
    public static final String SUBJECT = "SwitchboardSubject";
    /** The {@code ActionTarget.Result} of the last action step the exchange passed (performed, or recorded). */
    @Metadata(description = "What the last action step the exchange passed did (performed, or recorded)",
            javaType = "dev.switchboard.spi.ActionTarget.Result", label = "producer")
    public static final String ACTION_RESULT = "SwitchboardActionResult";
    /**
     * Prefix of one header per output of the last action step: {@code SwitchboardActionOutput.uri} after a
     * {@code hub/copy-artifact}. In a later step's parameters, {@code ${variable.result[uri]}} reads the same value.
     */
    @Metadata(description = "Prefix of one header per output of the last action step (SwitchboardActionOutput.uri)",
            javaType = "String", label = "producer")
    public static final String ACTION_OUTPUT = "SwitchboardActionOutput.";

    private SwitchboardHeaders() {
    }
}
