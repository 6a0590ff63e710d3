package dev.switchboard.spi;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.ResourceRef;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Named operations that routes perform: {@code to: switchboard:<connection>/<action>}, for example
 * {@code dispatch-workflow} on GitHub or {@code register-model-version} on SageMaker.
 *
 * <p>The hub performs actions through its outbox: at least once, with the same {@link Request#idempotencyKey()}
 * on every attempt. An implementation passes the key to the tool where the tool honours one, and otherwise
 * makes the action idempotent itself (look before create), so the target sees it once.
 */
public interface ActionTarget {

    /** The action names this target performs, as routes write them (kebab-case). */
    Set<String> actions();

    /**
     * Performs an action.
     *
     * @throws ConnectorException classified: {@code CONFIGURATION} for an unknown action or bad parameter
     *                            (named), {@code TRANSIENT} when a retry may succeed
     */
    Result perform(Request request);

    /** Reads the status of something an earlier {@link #perform} started, when the tool can say. */
    default Optional<Status> status(ResourceRef started) {
        return Optional.empty();
    }

    /**
     * One action to perform.
     *
     * @param action         the action name
     * @param parameters     the route's endpoint parameters ({@code workflow=deploy.yml&ref=main})
     * @param event          the canonical event that triggered it
     * @param idempotencyKey the same on every attempt of this action for this event and route step
     */
    record Request(String action, Map<String, String> parameters, CanonicalEvent event, String idempotencyKey) {

        public Request {
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }

        /** A parameter the action needs; fails with a {@code CONFIGURATION} error naming it if absent. */
        public String require(String connection, String name) {
            String value = parameters.get(name);
            if (value == null || value.isBlank()) {
                throw ConnectorException.configuration(connection, "action " + action + " needs parameter " + name);
            }
            return value;
        }
    }

    /**
     * What an action did.
     *
     * @param started what the action created or started, when it has an identity (a workflow run), or null
     * @param outputs values later route steps may use ({@code runId}), by name
     */
    record Result(ResourceRef started, Map<String, String> outputs) {

        public Result {
            outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
        }

        public static Result done() {
            return new Result(null, Map.of());
        }
    }

    /**
     * The status of something an action started.
     *
     * @param status    its state
     * @param ref       where it lives
     */
    record Status(dev.switchboard.model.RunStatus status, ResourceRef ref) {
    }
}
