package dev.switchboard.core.camel;

import dev.switchboard.core.delivery.ActionCall;
import dev.switchboard.model.CanonicalEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** Turns an exchange carrying a canonical event into an {@link ActionCall} for the dispatcher. */
class ActionProducer extends DefaultProducer {

    private final ActionEndpoint endpoint;

    ActionProducer(ActionEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getIn().getMandatoryBody(CanonicalEvent.class);
        String routeId = exchange.getFromRouteId();
        ActionCall call = new ActionCall(endpoint.connection(), endpoint.action(), endpoint.parameters(), event,
                exchange.getIn().getHeader(SwitchboardHeaders.EVENT_SEQ, Long.class), routeId,
                idempotencyKey(event, routeId, endpoint.getEndpointUri()));
        exchange.getIn().setHeader(SwitchboardHeaders.ACTION_RESULT, endpoint.getComponent().dispatcher().dispatch(call));
    }

    /**
     * The same for every attempt of this step for this event, and different for every other step or event: a
     * digest of the event's identity, the route and the endpoint.
     */
    static String idempotencyKey(CanonicalEvent event, String routeId, String endpointUri) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {event.source().toString(), event.id(), String.valueOf(routeId), endpointUri}) {
                sha256.update(part.getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
