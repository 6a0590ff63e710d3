package dev.switchboard.core.camel;

/** Headers the {@code switchboard:} component sets on exchanges; routes may read them. */
public final class SwitchboardHeaders {

    /** The event's inbox position (long). */
    public static final String EVENT_SEQ = "SwitchboardEventSeq";
    /** The event's id. */
    public static final String EVENT_ID = "SwitchboardEventId";
    /** The event's type, short name ({@code model_version.created}). */
    public static final String EVENT_TYPE = "SwitchboardEventType";
    /** The connection the event came from. */
    public static final String EVENT_SOURCE = "SwitchboardEventSource";
    /** The event's subject. */
    public static final String SUBJECT = "SwitchboardSubject";
    /** The {@code ActionTarget.Result} of the last action step the exchange passed (performed, or recorded). */
    public static final String ACTION_RESULT = "SwitchboardActionResult";
    /**
     * Prefix of one header per output of the last action step: {@code SwitchboardActionOutput.uri} after a
     * {@code hub/copy-artifact}. In a later step's parameters, {@code {result.uri}} names the same value.
     */
    public static final String ACTION_OUTPUT = "SwitchboardActionOutput.";

    private SwitchboardHeaders() {
    }
}
