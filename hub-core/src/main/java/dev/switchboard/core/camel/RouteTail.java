package dev.switchboard.core.camel;

import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.InterceptDefinition;
import org.apache.camel.model.InterceptSendToEndpointDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.OnCompletionDefinition;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.ToDynamicDefinition;

/**
 * The action step a route ends with, read from the route's model: when an execution waits at that step, nothing of
 * the route runs after it, so the execution is DONE as soon as the step is delivered and needs no further run.
 *
 * <p>Decided conservatively: the route's last output is a {@code to} of a {@code switchboard:} action, directly or
 * as the last output of a {@code filter} that is itself last (recursively); that endpoint is sent to nowhere else in
 * the route (so a wait on it is a wait on this occurrence); and nothing could run after it or reroute around it: no
 * {@code onCompletion}, {@code intercept…} or {@code onException} in the route, no dynamic {@code toD}/{@code wireTap}
 * that might reach the endpoint, no route configuration in the context. Anything else answers empty, and the
 * execution resumes with a run of the route as before.
 */
final class RouteTail {

    private RouteTail() {
    }

    /** The endpoint URI (as {@link Endpoint#getEndpointUri()} has it) of the action {@code routeId} ends with. */
    static Optional<String> lastAction(CamelContext context, String routeId) {
        try {
            return find(context, routeId);
        } catch (RuntimeException unresolvable) {
            return Optional.empty(); // an endpoint of the route did not resolve here: no shortcut, runs as before
        }
    }

    private static Optional<String> find(CamelContext context, String routeId) {
        if (!(context instanceof ModelCamelContext model) || routeId == null
                || !model.getRouteConfigurationDefinitions().isEmpty()) {
            return Optional.empty();
        }
        RouteDefinition route = model.getRouteDefinition(routeId);
        if (route == null || route.getRouteConfigurationId() != null || anyOf(route.getOutputs(),
                OnCompletionDefinition.class, InterceptDefinition.class, InterceptSendToEndpointDefinition.class,
                OnExceptionDefinition.class, ToDynamicDefinition.class)) {
            return Optional.empty();
        }
        ProcessorDefinition<?> last = last(route.getOutputs());
        while (last instanceof FilterDefinition filter) {
            last = last(filter.getOutputs());
        }
        if (!(last instanceof ToDefinition to) || to.getEndpointUri() == null
                || !to.getEndpointUri().startsWith(SwitchboardComponent.SCHEME + ":")) {
            return Optional.empty();
        }
        Endpoint endpoint = context.getEndpoint(to.getEndpointUri());
        if (!(endpoint instanceof ActionEndpoint)) {
            return Optional.empty();
        }
        long sends = ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class).stream()
                .filter(send -> send.getEndpointUri() == null
                        || endpoint.getEndpointUri().equals(context.getEndpoint(send.getEndpointUri()).getEndpointUri()))
                .count();
        return sends == 1 ? Optional.of(endpoint.getEndpointUri()) : Optional.empty();
    }

    private static ProcessorDefinition<?> last(List<ProcessorDefinition<?>> outputs) {
        return outputs == null || outputs.isEmpty() ? null : outputs.get(outputs.size() - 1);
    }

    private static boolean anyOf(List<ProcessorDefinition<?>> outputs, Class<?>... kinds) {
        for (Class<?> kind : kinds) {
            if (!ProcessorDefinitionHelper.filterTypeInOutputs(outputs, kind).isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
