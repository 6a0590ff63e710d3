package dev.switchboard.core.delivery;

import dev.switchboard.model.CanonicalEvent;
import java.util.Map;

/**
 * One connector operation a route asked for: {@code to: switchboard:<connection>/<action>?params}.
 *
 * @param connection     the connection to perform it on
 * @param action         the action name
 * @param parameters     the endpoint's parameters
 * @param event          the event the route was processing
 * @param eventSeq       the event's inbox position, or {@code null} when it did not come from the inbox
 * @param routeId        the route that asked
 * @param idempotencyKey the same for every attempt of this step for this event
 */
public record ActionCall(String connection, String action, Map<String, String> parameters, CanonicalEvent event,
                         Long eventSeq, String routeId, String idempotencyKey) {

    public ActionCall {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
}
