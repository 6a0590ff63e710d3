package dev.switchboard.core.event;

/**
 * A document or CloudEvent could not be read as a canonical event. The message names the attribute or data
 * field at fault and quotes the bad value, so it can go into a 4xx problem response as it is.
 */
public class EventFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public EventFormatException(String field, String message) {
        this(field, message, null);
    }

    public EventFormatException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /**
     * The attribute ({@code type}, {@code time}) or data path ({@code data.artifact.digest}) at fault, or
     * {@code null} when the document as a whole is unreadable.
     */
    public String field() {
        return field;
    }
}
