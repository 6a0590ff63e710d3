package dev.switchboard.spi;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ApprovalChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.DataVersion;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.StageChange;
import dev.switchboard.model.TagChange;
import java.util.LinkedHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

        /**
         * What the triggering event says about a model version, by the names routes use in templates:
         * {@code model}, {@code version} and {@code alias}, each only when the event carries it. Events about a
         * version ({@code model_version.*}) carry them in their data; CI and pipeline runs carry them when their
         * inputs are named {@code model} and {@code version}. A data version ({@code data_version.created}) carries
         * {@code path}, {@code commit} (its version) and {@code md5} (its digest, as the tool wrote it) instead.
         */
        public Map<String, String> eventFields() {
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
         * that name the same place agree on it.
         *
         * @throws ConnectorException {@code CONFIGURATION} naming the placeholder the event has no value for
         */
        public String expand(String connection, String template) {
            Map<String, String> fields = eventFields();
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

        private static final Pattern PLACEHOLDER = Pattern.compile("\\{(model|version|alias|path|commit|md5)}");
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
