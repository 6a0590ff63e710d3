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
    /** The {@code ActionTarget.Result} of the last action endpoint the exchange passed. */
    public static final String ACTION_RESULT = "SwitchboardActionResult";

    private SwitchboardHeaders() {
    }
}
