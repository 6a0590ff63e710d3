package dev.switchboard.core.camel;

import dev.switchboard.core.delivery.ActionDispatcher;
import dev.switchboard.core.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code switchboard:} Camel component, which gives routes the hub's two verbs:
 * <ul>
 *   <li>{@code from: switchboard:events?type=…&source=…} consumes canonical events from the inbox;</li>
 *   <li>{@code to: switchboard:<connection>/<action>?params} performs a connector operation through the
 *       {@link ActionDispatcher}.</li>
 * </ul>
 * {@code to: switchboard:events} appends the exchange's canonical event to the inbox.
 */
public class SwitchboardComponent extends DefaultComponent {

    /** The component's scheme, and the bean name Camel finds it under. */
    public static final String SCHEME = "switchboard";

    private final Store store;
    private final ActionDispatcher dispatcher;

    public SwitchboardComponent(Store store, ActionDispatcher dispatcher) {
        this.store = store;
        this.dispatcher = dispatcher;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (EventsEndpoint.PATH.equals(remaining)) {
            EventsEndpoint endpoint = new EventsEndpoint(uri, this);
            setProperties(endpoint, parameters);
            return endpoint;
        }
        int slash = remaining.indexOf('/');
        if (slash <= 0 || slash == remaining.length() - 1 || remaining.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("switchboard endpoint \"" + remaining + "\" must be \"events\" or "
                    + "\"<connection>/<action>\" (for example switchboard:github-deploy/dispatch-workflow)");
        }
        // Every parameter of an action endpoint belongs to the action, so none is left for Camel to reject.
        Map<String, String> actionParameters = new LinkedHashMap<>();
        parameters.forEach((name, value) -> actionParameters.put(name, String.valueOf(value)));
        parameters.clear();
        return new ActionEndpoint(uri, this, remaining.substring(0, slash), remaining.substring(slash + 1),
                actionParameters);
    }

    Store store() {
        return store;
    }

    ActionDispatcher dispatcher() {
        return dispatcher;
    }
}
