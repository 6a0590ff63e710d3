package dev.switchboard.spi;

/**
 * A webhook the hub must not accept. The ingress answers with the status of the {@link Reason} and the message
 * as the problem detail, and stores nothing. The message must say what was wrong (which header, how stale)
 * without echoing a secret or a computed signature.
 */
public class WebhookRejectedException extends RuntimeException {

    /** Why a webhook was rejected; each maps to one HTTP status. */
    public enum Reason {
        /** Missing or wrong signature, wrong secret, changed body: 401. */
        BAD_SIGNATURE(401),
        /** A timestamp outside the accepted window (replay protection): 401. */
        STALE(401),
        /** The body or a required header is not what the vendor sends: 400. */
        MALFORMED(400),
        /**
         * A well-formed event of a kind this connector does not translate. {@link #status()} is 422, but the hub's
         * ingress acknowledges such a webhook with 202 and stores nothing: a refusal would make the sender retry a
         * message that can never succeed (and some senders disable an endpoint after repeated failures).
         */
        UNSUPPORTED(422);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Reason reason;

    public WebhookRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
