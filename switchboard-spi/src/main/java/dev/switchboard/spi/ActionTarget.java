package dev.switchboard.spi;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ApprovalChange;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.DataVersion;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.model.StageChange;
import dev.switchboard.model.TagChange;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named operations that routes perform: {@code to: switchboard:<connection>/<action>}, for example
 * {@code dispatch-workflow} on GitHub or {@code register-model-version} on SageMaker.
 *
 * <p>The hub performs actions through its outbox: at least once, with the same {@link Request#idempotencyKey()}
 * on every attempt. An implementation passes the key to the tool where the tool honours one, and otherwise
 * makes the action idempotent itself (look before create), so the target sees it once.
 *
 * <p>Parameters arrive as plain values: a route writes them in Camel Simple
 * ({@code to: "s3://models/${variable.model}/${variable.version}/model.tar.gz"}, {@code ${variable.result[uri]}} for
 * an output of the previous step), and the hub resolves the expressions once, before the step's delivery is stored; every attempt and every replay gets the
 * values stored then. An action never expands templates of its own.
 */
public interface ActionTarget {

    /** The action names this target performs, as routes write them (kebab-case). */
    Set<String> actions();

    /**
     * What each action of {@link #actions()} takes, so that the hub checks a route's
     * {@code switchboard:<connection>/<action>?params} when the routes load (at start and in
     * {@code switchboard validate}) instead of dead-lettering the first delivery: a parameter no {@link Parameter}
     * of the action accepts is a route problem (with the nearest declared name as a suggestion), and so is a
     * {@link Parameter#required() required} one the route leaves out. Values are not checked beyond
     * {@link Parameter#values()} when they are Camel Simple expressions ({@code ${variable.model}},
     * {@code ${variable.result[uri]}}), which the hub resolves only when the step runs; the action still checks
     * what it receives.
     *
     * <p>Declare every parameter the action reads, including families of names with a common prefix
     * ({@link Parameter#prefix}: GitHub's {@code input.<name>}), and only mark a parameter required when the action
     * fails without it whatever the connection's options and the event say. Parameter names are as routes write them:
     * kebab-case ({@code model-data-url}); the hub turns the camelCase keys Camel's YAML DSL makes of a
     * {@code parameters:} map back into kebab-case before checking and before {@link #perform}.
     *
     * <p>The default describes each action as {@link Action#undeclared undeclared}: its parameters are not checked.
     * It exists so that connectors written before this method keep compiling and their routes keep validating; every
     * shipped connector overrides it. An action missing from the list is treated as undeclared.
     *
     * @return one {@link Action} per name in {@link #actions()}
     */
    default List<Action> describe() {
        return actions().stream().sorted().map(Action::undeclared).toList();
    }

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
     * @param parameters     the route's endpoint parameters ({@code workflow=deploy.yml&ref=main}), their Simple
     *                       expressions already resolved by the hub
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

        /** A parameter the action may take: empty when absent or blank. */
        public Optional<String> optional(String name) {
            return Optional.ofNullable(parameters.get(name)).filter(value -> !value.isBlank());
        }

        /**
         * The artifact an action works on: the URI in parameter {@code name} when the route gives one (see
         * {@link #artifactUri}), else the artifact of the model version the event is about ({@code model_version.*}
         * events that carry it).
         *
         * @throws ConnectorException {@code CONFIGURATION} naming the parameter when its value is not a URI, or when
         *                            neither the parameter nor the event gives an artifact
         */
        public ArtifactRef artifact(String connection, String name) {
            Optional<URI> given = artifactUri(connection, name);
            if (given.isPresent()) {
                return ArtifactRef.of(given.get());
            }
            if (event != null && event.data() instanceof ModelVersion version && version.artifact() != null) {
                return version.artifact();
            }
            throw ConnectorException.configuration(connection, "action " + action + " needs parameter " + name
                    + ": event " + (event == null ? "(none)" : event.type()) + " carries no artifact");
        }

        /**
         * A parameter that addresses an artifact or a place to write one: an absolute URI
         * ({@code s3://models/churn/3/model.tar.gz}). Routes write these, often from event data through an expression,
         * so a value that is no such URI is the route's or the event's mistake, never retried: it fails with a
         * {@code CONFIGURATION} error naming the action, the parameter and (shortened) the value.
         *
         * @return the URI, or empty when the route does not give the parameter (or gives it blank)
         * @throws ConnectorException {@code CONFIGURATION} when the value is not an absolute URI
         */
        public Optional<URI> artifactUri(String connection, String name) {
            Optional<String> given = optional(name);
            if (given.isEmpty()) {
                return Optional.empty();
            }
            String value = given.get();
            String why;
            try {
                URI uri = new URI(value.trim());
                if (uri.isAbsolute()) {
                    return Optional.of(uri);
                }
                why = "must be absolute (with a scheme: s3://…, https://…)";
            } catch (URISyntaxException e) {
                why = e.getReason() + " at index " + e.getIndex();
            }
            String shown = (value.length() <= 120 ? value : value.substring(0, 120) + "…").replaceAll("\\p{Cntrl}", "?");
            throw ConnectorException.configuration(connection, "action " + action + ": parameter " + name + " \""
                    + shown + "\" is not a URI: " + why);
        }

        /**
         * What the triggering event says about a model version, by the names routes use in templates:
         * {@code model}, {@code version} and {@code alias}, each only when the event carries it. Events about a
         * version ({@code model_version.*}) carry them in their data; CI and pipeline runs carry them when their
         * inputs are named {@code model} and {@code version}. A data version ({@code data_version.created}) carries
         * {@code path}, {@code commit} (its version) and {@code md5} (its digest, as the tool wrote it) instead.
         */
        public Map<String, String> eventFields() {
            return eventFields(event);
        }

        /**
         * {@link #eventFields()} of {@code event} (none when it is null): what routes read as
         * {@code ${variable.model}}, {@code ${variable.version}} and so on in action parameters.
         */
        public static Map<String, String> eventFields(CanonicalEvent event) {
            Map<String, String> fields = new LinkedHashMap<>();
            if (event == null) {
                return fields;
            }
            Object data = event.data();
            if (data instanceof ModelVersion v) {
                put(fields, v.modelName(), v.version(), null);
            } else if (data instanceof AliasChange a) {
                put(fields, a.modelName(), a.version(), a.alias());
            } else if (data instanceof TagChange t) {
                put(fields, t.modelName(), t.version(), null);
            } else if (data instanceof StageChange s) {
                put(fields, s.modelName(), s.version(), null);
            } else if (data instanceof ApprovalChange a) {
                put(fields, a.modelName(), a.version(), null);
            } else if (data instanceof CiRun run) {
                put(fields, run.inputs().get("model"), run.inputs().get("version"), run.inputs().get("alias"));
            } else if (data instanceof DataVersion d) {
                fields.put("path", d.path());
                fields.put("commit", d.version());
                if (d.artifact().digest() != null) {
                    fields.put("md5", d.artifact().digest().value());
                }
            }
            return fields;
        }

        private static void put(Map<String, String> fields, String model, String version, String alias) {
            if (model != null) {
                fields.put("model", model);
            }
            if (version != null) {
                fields.put("version", version);
            }
            if (alias != null) {
                fields.put("alias", alias);
            }
        }

        /**
         * {@code template} with each {@code {model}}, {@code {version}} and {@code {alias}} replaced from
         * {@link #eventFields()} ({@code s3://models/{model}/{version}/model.tar.gz}), so two steps of a route
         * that name the same place agree on it. For a pipeline run ({@code pipeline_run.finished}) also
         * {@code {run_id}}, {@code {run_name}}, {@code {pipeline}}, {@code {pipeline_version}} and
         * {@code {param.<name>}} (a run parameter), which are template values only, not {@link #eventFields()}.
         *
         * @throws ConnectorException {@code CONFIGURATION} naming the placeholder the event has no value for
         * @deprecated parameters arrive resolved: routes write them in Camel Simple ({@code ${variable.model}}), the
         *             hub resolves them before the delivery is stored, and route validation refuses {@code {model}};
         *             kept so that connectors compiled against an earlier SPI still link
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public String expand(String connection, String template) {
            Map<String, String> fields = eventFields();
            if (event != null && event.data() instanceof PipelineRun run) {
                fields.put("run_id", run.ref().nativeId());
                fields.put("pipeline", run.pipelineName());
                putIfKnown(fields, "run_name", run.runName());
                putIfKnown(fields, "pipeline_version", run.pipelineVersion());
                run.parameters().forEach((name, value) -> fields.put("param." + name, value));
            }
            Matcher matcher = PLACEHOLDER.matcher(template);
            StringBuilder expanded = new StringBuilder();
            while (matcher.find()) {
                String value = fields.get(matcher.group(1));
                if (value == null) {
                    throw ConnectorException.configuration(connection, "action " + action + ": event "
                            + (event == null ? "(none)" : event.type()) + " has no " + matcher.group(1) + " for {"
                            + matcher.group(1) + "} in \"" + template + "\"");
                }
                matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
            }
            matcher.appendTail(expanded);
            return expanded.toString();
        }

        private static void putIfKnown(Map<String, String> fields, String name, String value) {
            if (value != null) {
                fields.put(name, value);
            }
        }

        private static final Pattern PLACEHOLDER = Pattern.compile(
                "\\{(model|version|alias|path|commit|md5|run_id|run_name|pipeline|pipeline_version|param\\.[^}]+)}");
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
     * The declaration of one action: its name, what it does and the parameters it takes.
     *
     * @param name        the action name, as in {@link #actions()}
     * @param description one sentence for documentation and {@code validate} output
     * @param parameters  every parameter the action reads, in the order to document them
     * @param declared    whether {@code parameters} is the whole list, so the hub may refuse other names; false only
     *                    for {@link #undeclared}
     */
    record Action(String name, String description, List<Parameter> parameters, boolean declared) {

        public Action {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("an action needs a name");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("action " + name + " needs a description");
            }
            parameters = parameters == null ? List.of() : List.copyOf(parameters);
        }

        /** An action that takes exactly {@code parameters} (none, when empty). */
        public static Action of(String name, String description, Parameter... parameters) {
            return new Action(name, description, Arrays.asList(parameters), true);
        }

        /** An action whose parameters are not declared, so not checked: what {@link #describe()} says by default. */
        public static Action undeclared(String name) {
            return new Action(name, "(parameters not declared by the connector)", List.of(), false);
        }

        /** The declared parameter that accepts {@code parameterName}: its exact name, or the longest prefix. */
        public Optional<Parameter> parameter(String parameterName) {
            Parameter best = null;
            for (Parameter parameter : parameters) {
                if (parameter.accepts(parameterName)
                        && (best == null || parameter.name().length() > best.name().length())) {
                    best = parameter;
                }
            }
            return Optional.ofNullable(best);
        }
    }

    /**
     * One parameter of an action, or a family of them.
     *
     * @param name        the parameter name in kebab-case ({@code model-data-url}), or, for a {@code prefix}, the
     *                    prefix including its trailing dot ({@code input.}): it then accepts every
     *                    {@code input.<something>}
     * @param required    whether a route must give it (never for a prefix)
     * @param prefix      whether {@code name} names a family of parameters by their common prefix
     * @param values      the values it accepts, when it is one of a set ({@code Approved}, {@code Rejected}); empty for
     *                    any. Compared ignoring case, as tools mostly do; a value with a Simple expression
     *                    ({@code ${variable.alias}}) is not checked against them when routes load
     * @param description one sentence for documentation and {@code validate} output
     */
    record Parameter(String name, boolean required, boolean prefix, List<String> values, String description) {

        private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*([-.][a-zA-Z0-9_]+)*");

        public Parameter {
            if (name == null || !(prefix ? name.endsWith(".") && NAME.matcher(name.substring(0, name.length() - 1))
                    .matches() : NAME.matcher(name).matches())) {
                throw new IllegalArgumentException((prefix ? "a prefix must be kebab-case and end with a dot" : "a "
                        + "parameter name must be kebab-case") + ", but was \"" + name + "\"");
            }
            if (prefix && required) {
                throw new IllegalArgumentException("prefix " + name + " cannot be required");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("parameter " + name + " needs a description");
            }
            values = values == null ? List.of() : List.copyOf(values);
        }

        /** A parameter every route must give. */
        public static Parameter required(String name, String description) {
            return new Parameter(name, true, false, List.of(), description);
        }

        /** A parameter a route may give. */
        public static Parameter optional(String name, String description) {
            return new Parameter(name, false, false, List.of(), description);
        }

        /** Every parameter named {@code prefix<something>} ({@code prefix} ends with a dot: {@code input.}). */
        public static Parameter prefix(String prefix, String description) {
            return new Parameter(prefix, false, true, List.of(), description);
        }

        /** The same parameter, accepting only {@code accepted} (ignoring case). */
        public Parameter oneOf(String... accepted) {
            return new Parameter(name, required, prefix, List.of(accepted), description);
        }

        /** Whether this parameter (or family) accepts a parameter named {@code parameterName}. */
        public boolean accepts(String parameterName) {
            return prefix ? parameterName.startsWith(name) && parameterName.length() > name.length()
                    : name.equals(parameterName);
        }
    }

    /**
     * The status of something an action started.
     *
     * @param status    its state
     * @param ref       where it lives
     */
    record Status(RunStatus status, ResourceRef ref) {
    }
}
