package dev.switchboard.core.camel;

import dev.switchboard.core.config.Quoted;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a route file as plain YAML data, before Camel sees it, and lists what a route file may not do. Route files
 * describe routing; they never create objects or run code of their own, whether they come from the routes
 * directory or are sent to the validation API:
 *
 * <ul>
 *   <li>the top level holds routes only ({@code route} or {@code from}): no {@code beans}, templates, REST or
 *       route configurations, which Camel instantiates or wires when it loads the file;</li>
 *   <li>no step or language that calls Java or a script ({@code bean}, {@code process}, {@code method},
 *       {@code groovy}, …), no bean references ({@code #class:}, {@code #bean:}, {@code #type:}), no Simple
 *       functions that reach objects, classes or the environment ({@code ${bean:…}}, {@code ${type:…}},
 *       {@code ${exchange…}}, {@code ${camelContext…}}, {@code ${env…}}, {@code ${sys…}},
 *       {@code {{env:…}}});</li>
 *   <li>endpoints only of the hub's own kinds: {@code switchboard:}, {@code direct:}, {@code seda:}, {@code log:},
 *       spelled literally;</li>
 *   <li>no tags, anchors or aliases, at most {@value #MAX_DEPTH} levels of nesting and {@value #MAX_CHARS}
 *       characters.</li>
 * </ul>
 *
 * The YAML is read as a stream of parser events, so neither a deep nesting nor an alias bomb can exhaust the stack
 * or the heap, and nothing is constructed.
 */
public final class RouteSafety {

    static final int MAX_DEPTH = 40;
    static final int MAX_CHARS = 1_000_000;

    private static final Set<String> TOP_LEVEL = Set.of("route", "from");
    private static final Set<String> SCHEMES = Set.of("switchboard", "direct", "seda", "log");
    private static final Set<String> ENDPOINT_KEYS = Set.of("uri", "to", "toD", "wireTap", "from");
    /** Steps, languages and options that call Java, a script, or a bean of the hub's registry. */
    private static final Set<String> CODE_KEYS = Set.of("beans", "bean", "beanType", "process", "processorRef",
            "script", "method", "ref", "groovy", "joor", "java", "js", "javaScript", "python", "mvel", "ognl", "spel",
            "datasonnet", "wasm", "kotlin", "csimple", "recipientList", "routingSlip", "dynamicRouter", "enrich",
            "pollEnrich", "aggregationStrategy", "onPrepare", "errorHandler", "errorHandlerRef", "routeTemplate",
            "templatedRoute", "kamelet", "rest", "restConfiguration", "routeConfiguration");
    private static final Pattern BEAN_REFERENCE = Pattern.compile("(^|[=&?,\\s])#[A-Za-z]+:");
    private static final Pattern REACHING_FUNCTION = Pattern.compile(
            "\\$\\{\\s*(bean|type|ref|env|sys|sysenv|camelContext|exchange)\\b|\\{\\{\\s*(env|sys|sysenv)\\s*:",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

    private RouteSafety() {
    }

    /** Every problem of {@code yaml}, each naming the file, the line and what is not allowed; empty when safe. */
    public static List<String> problems(String name, String yaml) {
        if (yaml.length() > MAX_CHARS) {
            return List.of(name + ": is " + yaml.length() + " characters long; a route file may have at most "
                    + MAX_CHARS);
        }
        List<String> problems = new ArrayList<>();
        Deque<Frame> frames = new ArrayDeque<>();
        LoadSettings settings = LoadSettings.builder().setLabel(name).setCodePointLimit(MAX_CHARS)
                .setAllowDuplicateKeys(false).build();
        try {
            for (Event event : new Parse(settings).parseString(yaml)) {
                String at = name + ":" + line(event);
                if (event instanceof NodeEvent node && node.getAnchor().isPresent()) {
                    problems.add(at + ": anchors and aliases are not supported in route files");
                }
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        tag((CollectionStartEvent) event).ifPresent(tag -> problems.add(at + ": tag " + tag
                                + " is not supported in route files"));
                        String key = frames.isEmpty() ? null : frames.peek().valueKey();
                        if (frames.isEmpty() && event.getEventId() != Event.ID.SequenceStart
                                || frames.size() == 1 && event.getEventId() != Event.ID.MappingStart) {
                            problems.add(at + ": a route file is a list of routes (- route: or - from:)");
                        }
                        if (frames.size() >= MAX_DEPTH) {
                            problems.add(at + ": nested more than " + MAX_DEPTH + " levels deep");
                            return problems;
                        }
                        Frame parent = frames.peek();
                        boolean parameters = parent != null && (parent.parameters || "parameters".equals(key));
                        boolean refused = parent != null && (parent.refused || key != null && CODE_KEYS.contains(key));
                        frames.push(new Frame(event.getEventId() == Event.ID.MappingStart, frames.size() + 1, key,
                                parameters, refused));
                    }
                    case MappingEnd, SequenceEnd -> {
                        frames.pop();
                        if (!frames.isEmpty()) {
                            frames.peek().valueDone();
                        }
                    }
                    case Scalar -> scalar((ScalarEvent) event, at, frames.peek(), problems);
                    case Alias -> {
                        if (frames.peek() != null) {
                            frames.peek().valueDone();
                        }
                    }
                    default -> {
                        // stream and document boundaries, comments
                    }
                }
            }
        } catch (YamlEngineException e) {
            problems.add(name + ": is not valid YAML: " + e.getMessage().lines().findFirst().orElse("")
                    .replaceAll("\\p{Cntrl}", " "));
        }
        return problems;
    }

    private static void scalar(ScalarEvent scalar, String at, Frame frame, List<String> problems) {
        scalar.getTag().ifPresent(tag -> problems.add(at + ": tag " + tag + " is not supported in route files"));
        String value = scalar.getValue();
        if (frame == null) {
            problems.add(at + ": a route file is a list of routes (- route: or - from:)");
            return;
        }
        if (frame.refused) {
            // inside something already refused: one problem is enough
            if (frame.map && frame.expectingKey) {
                frame.key(value);
            } else {
                frame.valueDone();
            }
            return;
        }
        if (frame.map && frame.expectingKey) {
            if (frame.parameters) {
                // endpoint parameters are the action's data: any name goes (to, ref, …), their values are checked
                frame.key(value);
                return;
            }
            if (frame.depth == 2 && !TOP_LEVEL.contains(value)) {
                problems.add(at + ": " + Quoted.of(value) + " is not allowed at the top of a route file; it holds"
                        + " routes only (route: or from:)");
            } else if (CODE_KEYS.contains(value)) {
                problems.add(at + ": " + Quoted.of(value) + " is not allowed: route files route events, they do not"
                        + " create objects or run code");
            }
            frame.key(value);
            return;
        }
        String key = frame.parameters ? null : frame.valueKey();
        if (BEAN_REFERENCE.matcher(value).find()) {
            problems.add(at + ": bean references (#class:, #bean:, #type:) are not allowed in route files");
        }
        if (REACHING_FUNCTION.matcher(value).find()) {
            problems.add(at + ": expressions may not reach beans, classes, the exchange, the Camel context, "
                    + "environment variables or system properties; put such values in a connection's options");
        }
        if (key != null && ENDPOINT_KEYS.contains(key)) {
            var scheme = SCHEME.matcher(value);
            if (!scheme.matches() || !SCHEMES.contains(scheme.group(1).toLowerCase(Locale.ROOT))) {
                problems.add(at + ": endpoint " + Quoted.of(value) + " is not allowed; routes may use "
                        + String.join(", ", SCHEMES.stream().sorted().map(s -> s + ":").toList()) + " endpoints");
            }
        }
        frame.valueDone();
    }

    private static Optional<String> tag(CollectionStartEvent event) {
        return event.getTag().map(tag -> tag.replaceAll("\\p{Cntrl}", " "));
    }

    private static String line(Event event) {
        return event.getStartMark().map(Mark::getLine).map(line -> String.valueOf(line + 1)).orElse("?");
    }

    /** A mapping or sequence being read; a mapping alternates between its keys and their values. */
    private static final class Frame {
        final boolean map;
        final int depth;
        final String parentKey;
        /** Inside an endpoint's {@code parameters}: keys are data, not DSL. */
        final boolean parameters;
        /** Inside something already reported as not allowed. */
        final boolean refused;
        boolean expectingKey = true;
        String key;

        Frame(boolean map, int depth, String parentKey, boolean parameters, boolean refused) {
            this.map = map;
            this.depth = depth;
            this.parentKey = parentKey;
            this.parameters = parameters;
            this.refused = refused;
        }

        void key(String name) {
            key = name;
            expectingKey = false;
        }

        /** The key the next value belongs to: this mapping's current key, or, in a sequence, the sequence's own. */
        String valueKey() {
            return map ? key : parentKey;
        }

        void valueDone() {
            if (map) {
                expectingKey = true;
            }
        }
    }
}
