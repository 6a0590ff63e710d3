package dev.switchboard.core.camel;

import dev.switchboard.core.config.Quoted;
import dev.switchboard.core.config.Suggestions;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.delivery.HubActions;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ActionTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.HasExpressionType;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.spi.Language;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.URISupport;

/**
 * Checks a route file before it is deployed, without running it: the YAML parses as Camel routes, every route
 * that consumes {@code switchboard:events} has an explicit id and known event types, and every
 * {@code switchboard:<connection>/<action>} names a configured connection that offers the action, with the
 * parameters the action declares ({@link ActionTarget#describe()}): none it does not know, every one it requires.
 * Parameter values are compiled as Simple, never evaluated ({@link ActionParameters#problems}): a placeholder of the
 * previous template language ({@code {model}}) is a problem that names the Simple expression replacing it.
 */
public final class RouteValidator {

    /** The parameters of {@code switchboard:events}, read from the endpoint itself so the two cannot drift. */
    private static final Map<String, Field> EVENTS_PARAMETERS = Arrays.stream(EventsEndpoint.class.getDeclaredFields())
            .filter(field -> field.isAnnotationPresent(UriParam.class))
            .collect(Collectors.toMap(Field::getName, field -> field, (a, b) -> a, LinkedHashMap::new));

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
        // Line numbers on the loaded definitions, so a problem with an endpoint names the line it is on.
        context.setSourceLocationEnabled(true);
        try {
            String location = name.endsWith(RouteFiles.SUFFIX) ? name : name + RouteFiles.SUFFIX;
            Resource resource = ResourceHelper.fromString(location, yaml);
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            } catch (Exception e) {
                return new Result(List.of(), List.of(name + ": does not parse as Camel YAML routes: "
                        + rootMessage(e)));
            }
            List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
            List<String> ids = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (RouteDefinition route : routes) {
                String id = route.getRouteId();
                ids.add(id == null ? "(no id)" : id);
                checkInput(route, id, problems);
                checkExpressions(context, route, id, problems);
                for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                        SendDefinition.class)) {
                    checkAction(context, name, id, send, problems);
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
        Map<String, Object> parameters = parameters(uri);
        parameters.forEach((name, value) -> {
            String text = String.valueOf(value);
            switch (name) {
                case "type" -> {
                    for (String type : text.split(",")) {
                        try {
                            EventType.of(type.trim());
                        } catch (IllegalArgumentException e) {
                            problems.add("route " + id + ": " + e.getMessage());
                        }
                    }
                }
                case "source" -> {
                    for (String source : text.split(",")) {
                        if (connections.find(source.trim()).isEmpty()) {
                            problems.add("route " + id + ": source " + Quoted.of(source.trim())
                                    + " is not a configured connection");
                        }
                    }
                }
                default -> checkParameter(id, name, text, problems);
            }
        });
    }

    private static void checkParameter(String id, String name, String value, List<String> problems) {
        Field field = EVENTS_PARAMETERS.get(name);
        if (field == null) {
            problems.add("route " + id + ": switchboard:events has no parameter " + Quoted.of(name) + "; it takes "
                    + String.join(", ", EVENTS_PARAMETERS.keySet()));
            return;
        }
        String enums = field.getAnnotation(UriParam.class).enums();
        if (!enums.isEmpty() && !List.of(enums.split(",")).contains(value)) {
            problems.add("route " + id + ": " + name + " must be one of " + enums.replace(",", ", ") + ", was "
                    + Quoted.of(value));
        } else if ((field.getType() == int.class || field.getType() == long.class)
                && !value.matches("[1-9][0-9]{0,8}")) {
            problems.add("route " + id + ": " + name + " must be a whole number from 1 to 999999999, was "
                    + Quoted.of(value));
        }
    }
    /**
     * Compiles every Simple expression and predicate, evaluating none, so a syntax error is a problem here rather
     * than a failure at start. {@link RouteSafety} has already refused the functions that reach objects.
     */
    private static void checkExpressions(CamelContext context, RouteDefinition route, String id,
                                         List<String> problems) {
        List<HasExpressionType> nodes = new ArrayList<>(
                ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ExpressionNode.class));
        for (ChoiceDefinition choice : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                ChoiceDefinition.class)) {
            nodes.addAll(choice.getWhenClauses());
        }
        for (HasExpressionType node : nodes) {
            ExpressionDefinition expression = node.getExpressionType();
            if (expression == null || !"simple".equals(expression.getLanguage())) {
                continue;
            }
            boolean predicate = node instanceof FilterDefinition || node instanceof WhenDefinition;
            String step = node instanceof ProcessorDefinition<?> processor ? processor.getShortName() : "when";
            try {
                Language simple = context.resolveLanguage("simple");
                if (predicate) {
                    simple.createPredicate(expression.getExpression());
                } else {
                    simple.createExpression(expression.getExpression());
                }
            } catch (RuntimeException e) {
                problems.add("route " + id + ": the " + step + " expression " + Quoted.of(expression.getExpression())
                        + " does not compile: " + e.getMessage());
            }
        }
    }

    /**
     * The verdict on the route files of a directory, as the hub would load them: each file's, and the problems
     * between files (a route id used twice, which Camel would resolve by keeping one of the routes).
     *
     * @return every problem, each prefixed with the file it is in
     */
    public List<String> validateDirectory(Path directory) {
        Map<String, String> files = new LinkedHashMap<>();
        for (Path file : RouteFiles.list(directory)) {
            try {
                files.put(file.toString(), Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read route file " + file, e);
            }
        }
        return validateAll(files);
    }

    /**
     * The verdict on a set of route files loaded together: each file's, and the problems between files.
     *
     * @param files each file's name and text, in load order
     * @return every problem, each prefixed with the file it is in
     */
    public List<String> validateAll(Map<String, String> files) {
        List<String> problems = new ArrayList<>();
        Map<String, String> firstFileOfId = new HashMap<>();
        files.forEach((name, yaml) -> {
            Result result = validate(name, yaml);
            result.problems().forEach(problem -> problems.add(problem.startsWith(name + ":") ? problem
                    : name + ": " + problem));
            for (String id : result.routeIds()) {
                String first = firstFileOfId.putIfAbsent(id, name);
                if (first != null && !id.equals("(no id)")) {
                    problems.add(name + ": route id " + Quoted.of(id) + " is used again; it is already the id of a"
                            + " route in " + first);
                }
            }
        });
        return problems;
    }

    /** Checks one step sending to {@code switchboard:}; its problems start with {@code file:line:}, as RouteSafety's. */
    private void checkAction(CamelContext context, String file, String routeId, SendDefinition<?> send,
                             List<String> problems) {
        String uri = send.getEndpointUri();
        if (uri == null || !uri.startsWith(SwitchboardComponent.SCHEME + ":") || uri.startsWith("switchboard:events")) {
            return;
        }
        String route = (send.getLineNumber() > 0 ? file + ":" + send.getLineNumber() + ": " : "") + "route " + routeId;
        String endpoint = uri.substring(SwitchboardComponent.SCHEME.length() + 1).replaceFirst("^//", "");
        int query = endpoint.indexOf('?');
        String path = query >= 0 ? endpoint.substring(0, query) : endpoint;
        String[] parts = path.split("/");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            problems.add(route + ": " + uri + " must be switchboard:<connection>/<action>");
            return;
        }
        Map<String, String> given = actionParameters(uri);
        Language simple = context.resolveLanguage("simple");
        given.forEach((parameter, value) -> problems.addAll(ActionParameters.problems(route + ": switchboard:" + path,
                parameter, value, simple)));
        List<ActionTarget.Action> declared;
        if (HubActions.CONNECTION.equals(parts[0])) {
            // The hub's own actions need no configured connection; without this, every shipped route failed validation.
            if (!HubActions.ACTIONS.contains(parts[1])) {
                problems.add(route + ": the hub has no action " + parts[1] + "; it offers: "
                        + String.join(", ", HubActions.ACTIONS));
                return;
            }
            declared = HubActions.DEFINITIONS;
        } else {
            var entry = connections.find(parts[0]);
            if (entry.isEmpty()) {
                problems.add(route + ": " + uri + " names connection " + parts[0] + ", which is not configured");
                return;
            }
            Optional<ActionTarget> target = entry.get().connection().actionTarget();
            if (target.isEmpty()) {
                problems.add(route + ": connection " + parts[0] + " offers no actions");
                return;
            }
            if (!target.get().actions().contains(parts[1])) {
                problems.add(route + ": connection " + parts[0] + " has no action " + parts[1] + "; it offers: "
                        + String.join(", ", target.get().actions().stream().sorted().toList()));
                return;
            }
            declared = target.get().describe();
        }
        declared.stream().filter(action -> action.name().equals(parts[1]) && action.declared()).findFirst()
                .ifPresent(action -> checkActionParameters(route, path, action, given, problems));
    }

    /**
     * Checks a route's parameters against the action's declaration: every name must be declared (exactly or by a
     * prefix family), every required one given, and a plain value of a parameter with a set of values one of them.
     */
    private static void checkActionParameters(String route, String endpoint, ActionTarget.Action action,
                                              Map<String, String> given, List<String> problems) {
        List<String> exactNames = action.parameters().stream().filter(p -> !p.prefix())
                .map(ActionTarget.Parameter::name).toList();
        given.forEach((name, value) -> {
            Optional<ActionTarget.Parameter> parameter = action.parameter(name);
            if (parameter.isEmpty()) {
                problems.add(route + ": switchboard:" + endpoint + " has no parameter " + Quoted.of(name)
                        + Suggestions.nearest(name, exactNames).map(near -> "; did you mean " + Quoted.of(near) + "?")
                        .orElse("") + " It takes: " + describe(action));
            } else if (!parameter.get().values().isEmpty() && !value.contains("{") && !value.contains("$")
                    && parameter.get().values().stream().noneMatch(value::equalsIgnoreCase)) {
                problems.add(route + ": switchboard:" + endpoint + " parameter " + name + " must be one of "
                        + String.join(", ", parameter.get().values()) + ", was " + Quoted.of(value));
            }
        });
        for (ActionTarget.Parameter parameter : action.parameters()) {
            if (parameter.required() && !given.containsKey(parameter.name())) {
                problems.add(route + ": switchboard:" + endpoint + " needs parameter " + Quoted.of(parameter.name())
                        + " (" + parameter.description() + ")");
            }
        }
    }

    private static String describe(ActionTarget.Action action) {
        if (action.parameters().isEmpty()) {
            return "no parameters.";
        }
        return action.parameters().stream().map(p -> p.prefix() ? p.name() + "<name>"
                : p.required() ? p.name() + " (required)" : p.name()).collect(Collectors.joining(", ")) + ".";
    }

    /**
     * The action parameters of an endpoint URI, named as the action receives them: decoded, and kebab-cased as
     * {@link SwitchboardComponent} does. Parsed from the raw query, because Simple expressions
     * ({@code ${variable.model}}) make the URI invalid for {@link URI}.
     */
    private static Map<String, String> actionParameters(String uri) {
        int query = uri.indexOf('?');
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query < 0) {
            return parameters;
        }
        try {
            URISupport.parseQuery(uri.substring(query + 1), false, true).forEach((name, value) ->
                    parameters.put(SwitchboardComponent.kebabCase(name), String.valueOf(value)));
        } catch (Exception e) {
            // Camel reports an unparseable query itself when the route starts; nothing to check here.
        }
        return parameters;
    }

    private static Map<String, Object> parameters(String uri) {
        try {
            return URISupport.parseParameters(new URI(uri));
        } catch (Exception e) {
            return Map.of();
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
