package dev.switchboard.core.camel;

import dev.switchboard.core.config.Quoted;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.spi.Language;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The one template language of action parameters: Camel Simple, resolved by the hub before a step's delivery is
 * stored, so connectors receive plain values and every attempt and replay of the step sees the values of its first
 * run. What a parameter may read:
 * <ul>
 *   <li>{@code ${variable.model}}, {@code ${variable.version}}, {@code ${variable.alias}} (a model version's event,
 *       or a CI run's inputs of those names) and {@code ${variable.path}}, {@code ${variable.commit}},
 *       {@code ${variable.md5}} (a data version): {@link ActionTarget.Request#eventFields(CanonicalEvent)}, bound as
 *       exchange variables when the route starts on the event;</li>
 *   <li>{@code ${variable.result[<name>]}}: an output of the previous action step (performed now, or recorded);</li>
 *   <li>anything else Simple reads from the event ({@code ${body.data.parameters[model_uri]}}) or the route's own
 *       headers and variables.</li>
 * </ul>
 * A parameter that names a variable the exchange does not have fails the step with a message naming both, instead of
 * sending an empty string. {@link RouteSafety} refuses the functions that reach objects or the environment, and
 * {@link #problems} the ones whose value changes from run to run (a replay must resolve a step as its first run did).
 */
final class ActionParameters {

    /** The exchange variable that holds the previous action step's outputs (a {@code Map<String, String>}). */
    static final String RESULT = "result";

    private static final Pattern VARIABLE = Pattern.compile(
            "\\$\\{\\s*variables?\\.([A-Za-z_][A-Za-z0-9_-]*)(?:\\[\\s*'?([^\\]']*)'?\\s*])?");
    /** The previous template language ({@code {model}}, {@code {result.uri}}), kept only to say what replaces it. */
    private static final Pattern LEGACY = Pattern.compile(
            "(?<![$\\w])\\{(model|version|alias|path|commit|md5|run_id|run_name|pipeline|pipeline_version"
                    + "|result\\.[^{}\\s]+|param\\.[^{}\\s]+)}");
    /** Simple functions whose value differs between two runs on the same event: a replay would resolve otherwise. */
    private static final Pattern UNSTABLE = Pattern.compile("\\$\\{\\s*(date(-with-timezone)?:|random\\b|uuid\\b"
            + "|exchangeId\\b|id\\b|messageTimestamp\\b|threadId\\b|threadName\\b|hostname\\b|messageHistory\\b"
            + "|stepId\\b|exception)", Pattern.CASE_INSENSITIVE);

    private ActionParameters() {
    }

    /** Binds the event's fields as exchange variables, keeping any the route already set. */
    static void bindEvent(Exchange exchange, CanonicalEvent event) {
        ActionTarget.Request.eventFields(event).forEach((name, value) -> {
            if (exchange.getVariable(name) == null) {
                exchange.setVariable(name, value);
            }
        });
    }

    /** Makes {@code result}'s outputs what the next step reads as {@code ${variable.result[<name>]}}. */
    static void bindResult(Exchange exchange, ActionTarget.Result result) {
        exchange.setVariable(RESULT, result.outputs());
    }

    /** Compiles each value that holds a Simple expression; plain values stay as they are, uncompiled. */
    static Map<String, Expression> compile(CamelContext context, Map<String, String> templates) {
        Language simple = context.resolveLanguage("simple");
        Map<String, Expression> compiled = new LinkedHashMap<>();
        templates.forEach((name, template) -> {
            Expression expression = template.contains("${") ? simple.createExpression(template) : constant(template);
            expression.init(context);
            compiled.put(name, expression);
        });
        return compiled;
    }

    /**
     * Each parameter's value on {@code exchange}.
     *
     * @throws IllegalArgumentException naming the parameter and the variable (or step output) it reads that the
     *                                  exchange does not have
     */
    static Map<String, String> resolve(Exchange exchange, Map<String, String> templates,
                                       Map<String, Expression> compiled) {
        Map<String, String> values = new LinkedHashMap<>();
        templates.forEach((name, template) -> {
            Matcher variable = VARIABLE.matcher(template);
            while (variable.find()) {
                requirePresent(exchange, name, variable.group(1), variable.group(2));
            }
            String value = compiled.get(name).evaluate(exchange, String.class);
            values.put(name, value == null ? "" : value);
        });
        return values;
    }

    private static void requirePresent(Exchange exchange, String parameter, String variable, String key) {
        Object value = exchange.getVariable(variable);
        if (value == null) {
            CanonicalEvent event = exchange.getIn().getBody(CanonicalEvent.class);
            throw new IllegalArgumentException("parameter " + parameter + " reads ${variable." + variable + "}, but "
                    + (RESULT.equals(variable) ? "no action step ran before this one"
                    : "event " + (event == null ? "(none)" : event.type().typeName()) + " has no " + variable));
        }
        if (key != null && value instanceof Map<?, ?> map && !map.containsKey(key)) {
            throw new IllegalArgumentException("parameter " + parameter + " reads ${variable." + variable + "[" + key
                    + "]}, but " + (RESULT.equals(variable) ? "the previous action step" : "variable " + variable)
                    + " has no " + key + " (it has: " + String.join(", ", map.keySet().stream().map(String::valueOf)
                    .sorted().toList()) + ")");
        }
    }

    /**
     * What is wrong with one parameter value, compiled but never evaluated: a placeholder of the previous template
     * language (with its Simple equivalent), a function whose value changes between runs, an expression that does
     * not compile. Each problem starts with {@code where} (file, line, route and endpoint).
     */
    static List<String> problems(String where, String parameter, String value, Language simple) {
        List<String> problems = new ArrayList<>();
        Matcher legacy = LEGACY.matcher(value);
        while (legacy.find()) {
            problems.add(where + ": parameter " + parameter + " uses " + legacy.group()
                    + ", which is no longer filled in; action parameters are Camel Simple: write "
                    + simpleFor(legacy.group(1)));
        }
        Matcher unstable = UNSTABLE.matcher(value);
        if (unstable.find()) {
            problems.add(where + ": parameter " + parameter + " uses ${" + unstable.group(1).replaceAll("[:(]$", "")
                    + "…}, whose value changes from run to run; a step is resolved again when its execution resumes,"
                    + " so its parameters may read only the event, earlier steps' results and the route's own values");
        }
        if (value.contains("${")) {
            try {
                simple.createExpression(value);
            } catch (RuntimeException e) {
                problems.add(where + ": parameter " + parameter + " " + Quoted.of(value) + " does not compile as "
                        + "Simple: " + e.getMessage());
            }
        }
        return problems;
    }

    /** The Simple expression that reads what {@code {placeholder}} stood for. */
    static String simpleFor(String placeholder) {
        if (placeholder.startsWith("result.")) {
            return "${variable.result[" + placeholder.substring("result.".length()) + "]}";
        }
        if (placeholder.startsWith("param.")) {
            return "${body.data.parameters[" + placeholder.substring("param.".length()) + "]}";
        }
        return switch (placeholder) {
            case "run_id" -> "${body.data.ref.nativeId}";
            case "run_name" -> "${body.data.runName}";
            case "pipeline" -> "${body.data.pipelineName}";
            case "pipeline_version" -> "${body.data.pipelineVersion}";
            default -> "${variable." + placeholder + "}";
        };
    }

    private static Expression constant(String value) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return value;
            }
        };
    }
}
