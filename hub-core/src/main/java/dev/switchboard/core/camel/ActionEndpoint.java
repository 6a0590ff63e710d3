package dev.switchboard.core.camel;

import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code switchboard:<connection>/<action>?params}: perform a connector operation. Producer only. Its parameters are
 * the action's, declared by the connector ({@link dev.switchboard.spi.ActionTarget#describe()}) and checked by
 * {@link RouteValidator}; the catalog entry for the scheme is on {@link EventsEndpoint}.
 */
public class ActionEndpoint extends DefaultEndpoint {

    private final String connection;
    private final String action;
    private final Map<String, String> parameters;

    ActionEndpoint(String uri, SwitchboardComponent component, String connection, String action,
                   Map<String, String> parameters) {
        super(uri, component);
        this.connection = connection;
        this.action = action;
        this.parameters = Map.copyOf(parameters);
    }

    @Override
    public SwitchboardComponent getComponent() {
        return (SwitchboardComponent) super.getComponent();
    }

    /** Every query parameter is the action's, none Camel's; the component hands them over before Camel checks. */
    @Override
    public boolean isLenientProperties() {
        return true;
    }

    @Override
    public Producer createProducer() {
        return new ActionProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("switchboard:" + connection + "/" + action
                + " performs an action and cannot be consumed from; consume switchboard:events instead");
    }

    public String connection() {
        return connection;
    }

    public String action() {
        return action;
    }

    public Map<String, String> parameters() {
        return parameters;
    }
}
