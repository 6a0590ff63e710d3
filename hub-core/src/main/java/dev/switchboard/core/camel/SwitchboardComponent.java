package dev.switchboard.core.camel;

import dev.switchboard.core.delivery.ActionDispatcher;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.WorkLeases;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code switchboard:} Camel component, which gives routes the hub's two verbs:
 * <ul>
 *   <li>{@code from: switchboard:events?type=…&source=…} runs the route once per wanted inbox event, as a durable
 *       route execution ({@link dev.switchboard.core.store.RouteExecutions});</li>
 *   <li>{@code to: switchboard:<connection>/<action>?params} performs a connector operation through the
 *       {@link ActionDispatcher}, as one step of that execution: the next step starts after it is done.</li>
 * </ul>
 * {@code to: switchboard:events} appends the exchange's canonical event to the inbox.
 *
 * <p>Its catalog metadata (options, headers) is on {@link EventsEndpoint}; the hub registers the component as a
 * bean, built with its store and dispatcher, so Camel never instantiates it from the service file the annotation
 * generates (which tooling reads to find the scheme).
 */
@Component(SwitchboardComponent.SCHEME)
public class SwitchboardComponent extends DefaultComponent {

    /** The component's scheme, and the bean name Camel finds it under. */
    public static final String SCHEME = "switchboard";

    /** How long an instance's claim on a route execution holds unless renewed; renewed every third of it. */
    public static final Duration DEFAULT_EXECUTION_LEASE = WorkLeases.DEFAULT_LEASE;

    private final Store store;
    private final ActionDispatcher dispatcher;
    private final InstanceId instance;
    private final Duration executionLease;

    /** A component for a single anonymous instance (tests, tools), with the default lease. */
    public SwitchboardComponent(Store store, ActionDispatcher dispatcher) {
        this(store, dispatcher, InstanceId.newStart(null), DEFAULT_EXECUTION_LEASE);
    }

    /**
     * A component whose routes claim their executions as {@code instance}, each claim held for {@code executionLease}
     * and renewed while the execution runs; another instance takes an execution over once its lease ran out.
     */
    public SwitchboardComponent(Store store, ActionDispatcher dispatcher, InstanceId instance, Duration executionLease) {
        if (executionLease == null || executionLease.isNegative() || executionLease.isZero()) {
            throw new IllegalArgumentException("execution lease must be positive, was " + executionLease);
        }
        this.store = store;
        this.dispatcher = dispatcher;
        this.instance = instance;
        this.executionLease = executionLease;
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
        parameters.forEach((name, value) -> actionParameters.put(kebabCase(name), String.valueOf(value)));
        parameters.clear();
        return new ActionEndpoint(uri, this, remaining.substring(0, slash), remaining.substring(slash + 1),
                actionParameters);
    }

    /**
     * Action parameters are kebab-case ({@code model-data-url}), but Camel's YAML DSL turns the keys of a
     * {@code parameters:} map into camelCase ({@code modelDataUrl}) before the component sees them: turn them back.
     * Names with a dot ({@code input.<name>}, passed through to the tool) are left as they are, so a tool-side name
     * with dashes must be written in the URI string.
     */
    static String kebabCase(String name) {
        if (name.contains(".")) {
            return name;
        }
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    Store store() {
        return store;
    }

    ActionDispatcher dispatcher() {
        return dispatcher;
    }

    /** The instance this component's routes run executions as. */
    public InstanceId instance() {
        return instance;
    }

    Duration executionLease() {
        return executionLease;
    }
}
