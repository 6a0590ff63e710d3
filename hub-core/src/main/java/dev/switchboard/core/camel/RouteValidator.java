package dev.switchboard.core.camel;

import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ActionTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.URISupport;

/**
 * Checks a route file before it is deployed, without running it: the YAML parses as Camel routes, every route
 * that consumes {@code switchboard:events} has an explicit id and known event types, and every
 * {@code switchboard:<connection>/<action>} names a configured connection that offers the action.
 */
public final class RouteValidator {

    private final ConnectionRegistry connections;

    public RouteValidator(ConnectionRegistry connections) {
        this.connections = connections;
    }

    /**
     * The verdict on one route file.
     *
     * @param routeIds the ids of the routes the file defines
     * @param problems every problem found, each naming the route and the endpoint at fault; empty when valid
     */
    public record Result(List<String> routeIds, List<String> problems) {

        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks {@code yaml} without running anything: {@link RouteSafety} reads it as plain data first, and only text
     * that creates no object and names no code is handed to Camel's loader, which then builds route definitions in
     * a context that is never started.
     */
    public Result validate(String name, String yaml) {
        List<String> unsafe = RouteSafety.problems(name, yaml);
        if (!unsafe.isEmpty()) {
            return new Result(List.of(), unsafe);
        }
        CamelContext context = new DefaultCamelContext();
        try {
            Resource resource = ResourceHelper.fromString(name.endsWith(RouteFiles.SUFFIX) ? name : name + RouteFiles.SUFFIX, yaml);
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            } catch (Exception e) {
                return new Result(List.of(), List.of(name + ": does not parse as Camel YAML routes: " + rootMessage(e)));
            }
            List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
            List<String> ids = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (RouteDefinition route : routes) {
                String id = route.getRouteId();
                ids.add(id == null ? "(no id)" : id);
                checkInput(route, id, problems);
                for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                        SendDefinition.class)) {
                    checkAction(id, send.getEndpointUri(), problems);
                }
            }
            if (routes.isEmpty()) {
                problems.add(name + ": defines no routes");
            }
            return new Result(ids, problems);
        } finally {
            context.stop();
        }
    }

    private void checkInput(RouteDefinition route, String id, List<String> problems) {
        FromDefinition from = route.getInput();
        String uri = from == null ? null : from.getEndpointUri();
        if (uri == null || !uri.startsWith(SwitchboardComponent.SCHEME + ":events")) {
            return;
        }
        if (id == null) {
            problems.add("a route consuming " + uri + " has no id: give it one (route.id), the hub keeps its place "
                    + "in the inbox by it");
        }
        parameter(uri, "type").ifPresent(types -> {
            for (String type : types.split(",")) {
                try {
                    EventType.of(type.trim());
                } catch (IllegalArgumentException e) {
                    problems.add("route " + id + ": " + e.getMessage());
                }
            }
        });
    }

    private void checkAction(String routeId, String uri, List<String> problems) {
        if (uri == null || !uri.startsWith(SwitchboardComponent.SCHEME + ":") || uri.startsWith("switchboard:events")) {
            return;
        }
        String path = uri.substring(SwitchboardComponent.SCHEME.length() + 1).replaceFirst("^//", "");
        int query = path.indexOf('?');
        path = query >= 0 ? path.substring(0, query) : path;
        String[] parts = path.split("/");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            problems.add("route " + routeId + ": " + uri + " must be switchboard:<connection>/<action>");
            return;
        }
        if (dev.switchboard.core.delivery.HubActions.CONNECTION.equals(parts[0])) {
            // The hub's own actions need no configured connection; without this, every shipped route failed validation.
            if (!dev.switchboard.core.delivery.HubActions.ACTIONS.contains(parts[1])) {
                problems.add("route " + routeId + ": the hub has no action " + parts[1] + "; it offers: "
                        + String.join(", ", dev.switchboard.core.delivery.HubActions.ACTIONS));
            }
            return;
        }
        var entry = connections.find(parts[0]);
        if (entry.isEmpty()) {
            problems.add("route " + routeId + ": " + uri + " names connection " + parts[0]
                    + ", which is not configured");
            return;
        }
        Optional<ActionTarget> target = entry.get().connection().actionTarget();
        if (target.isEmpty()) {
            problems.add("route " + routeId + ": connection " + parts[0] + " offers no actions");
        } else if (!target.get().actions().contains(parts[1])) {
            problems.add("route " + routeId + ": connection " + parts[0] + " has no action " + parts[1]
                    + "; it offers: " + String.join(", ", target.get().actions().stream().sorted().toList()));
        }
    }

    private static Optional<String> parameter(String uri, String name) {
        try {
            return Optional.ofNullable(URISupport.parseParameters(new java.net.URI(uri)).get(name)).map(String::valueOf);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        StringBuilder message = new StringBuilder(String.valueOf(failure.getMessage()));
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }
}
