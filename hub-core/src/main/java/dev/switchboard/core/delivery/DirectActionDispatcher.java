package dev.switchboard.core.delivery;

import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;

/**
 * Performs each operation at once, on the calling thread, with no retry: the simplest dispatcher. Calls on the
 * reserved connection {@value HubActions#CONNECTION} go to the hub's own {@link HubActions}.
 */
public final class DirectActionDispatcher implements ActionDispatcher {

    private final ConnectionRegistry connections;
    private final HubActions hubActions;

    public DirectActionDispatcher(ConnectionRegistry connections) {
        this.connections = connections;
        this.hubActions = new HubActions(connections);
    }

    /** Performs the step now, on the calling thread: the execution goes on with its result. */
    @Override
    public StepOutcome perform(ActionCall call) {
        return new StepOutcome.Completed(dispatch(call));
    }

    /** Performs {@code call} now and returns the action's result. */
    public ActionTarget.Result dispatch(ActionCall call) {
        ActionTarget target = HubActions.CONNECTION.equals(call.connection()) ? hubActions
                : connections.get(call.connection()).actionTarget().orElseThrow(() ->
                ConnectorException.configuration(call.connection(), "connection " + call.connection()
                        + " offers no actions, so it cannot perform " + call.action()));
        if (!target.actions().contains(call.action())) {
            throw ConnectorException.configuration(call.connection(), "unknown action " + call.action()
                    + "; connection " + call.connection() + " offers: " + String.join(", ", target.actions()));
        }
        return target.perform(new ActionTarget.Request(call.action(), call.parameters(), call.event(),
                call.idempotencyKey()));
    }
}
