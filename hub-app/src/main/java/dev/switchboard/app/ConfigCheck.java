package dev.switchboard.app;

import dev.switchboard.app.sandbox.SandboxProperties;
import dev.switchboard.core.config.Quoted;
import dev.switchboard.core.config.Suggestions;
import dev.switchboard.spi.ConfigProblem;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.CommandLinePropertySource;

/**
 * Checks the hub's own configuration keys the way Spring Boot binds them, but reports every problem at once: keys
 * the hub does not know (with the nearest known key), and values that do not convert to their key's type (with
 * the path, the value and the form expected). Spring Boot on its own ignores unknown keys and stops at the first
 * value it cannot convert, with a Java class name.
 *
 * <p>The known keys are read from the classes the configuration binds to ({@link SwitchboardProperties},
 * {@link SandboxProperties}, and the records they hold), so the check cannot drift from what is bound. Maps of
 * strings (a connection's {@code options}) take any key: their connector validates them. Unknown keys are looked
 * for in configuration files, and among the {@code switchboard.*} arguments of the command line: environment
 * variables such as {@code SWITCHBOARD_CONFIG} and {@code SWITCHBOARD_TOKEN} are for the launcher and the CLI.
 * An empty mapping ({@code conections: {}}) holds no key to look at and passes unseen.
 */
public final class ConfigCheck {

    static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("switchboard");
    /** Top-level keys of a configuration file that belong to the hub or the frameworks it is built on. */
    private static final Set<String> KNOWN_ROOTS = Set.of("switchboard", "spring", "server", "logging", "management",
            "camel", "info", "debug", "trace");
    /** Keys read with {@code @Value} rather than bound to a class. */
    private static final Map<String, Object> VALUE_KEYS = Map.of("api", Map.of("token", String.class),
            "data-dir", Path.class);

    private ConfigCheck() {
    }

    /**
     * The {@code switchboard} section as bound, and its problems.
     *
     * @param properties the section, with each value that could not be bound left at its default, so that the
     *                   connections and sync jobs can be validated too
     * @param problems   unknown keys and values of the wrong type
     */
    public record Result(SwitchboardProperties properties, List<ConfigProblem> problems) {
    }

    /**
     * Binds and checks the {@code switchboard} section.
     *
     * @param all   every property source, as the hub binds them
     * @param files the sources in which an unknown key is a mistake (files, command line)
     */
    public static Result check(Iterable<ConfigurationPropertySource> all, Iterable<ConfigurationPropertySource> files,
                               PlaceholdersResolver placeholders) {
        List<ConfigProblem> problems = new ArrayList<>(unknownKeys(files));
        Binder binder = new Binder(all, placeholders);
        Collecting handler = new Collecting();
        SwitchboardProperties properties = binder.bind(ROOT, Bindable.of(SwitchboardProperties.class), handler)
                .orElseGet(SwitchboardProperties::new);
        binder.bind(ROOT.append("sandbox"), Bindable.of(SandboxProperties.class), handler);
        binder.bind(ROOT.append("data-dir"), Bindable.of(Path.class), handler);
        problems.addAll(handler.problems.values());
        return new Result(properties, problems);
    }

    private static List<ConfigProblem> unknownKeys(Iterable<ConfigurationPropertySource> files) {
        Map<String, ConfigProblem> problems = new TreeMap<>();
        for (ConfigurationPropertySource source : files) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            // Command lines carry other programs' options too (--server.port, --SWITCHBOARD_CONFIG=…): only their
            // switchboard keys are the hub's to judge.
            boolean commandLine = source.getUnderlyingSource() instanceof CommandLinePropertySource;
            iterable.forEach(name -> {
                if (!commandLine || ROOT.isAncestorOf(name)) {
                    unknown(name).ifPresent(problem -> problems.putIfAbsent(problem.path(), problem));
                }
            });
        }
        return List.copyOf(problems.values());
    }

    /** Why {@code name} is not a key the hub knows, or empty when it is. */
    static Optional<ConfigProblem> unknown(ConfigurationPropertyName name) {
        String first = name.getElement(0, ConfigurationPropertyName.Form.DASHED);
        if (!ROOT.isAncestorOf(name)) {
            if (KNOWN_ROOTS.contains(first)) {
                return Optional.empty();
            }
            return Optional.of(new ConfigProblem(first, "unknown top-level key" + suggestion(first, KNOWN_ROOTS)));
        }
        Object node = KEYS;
        StringBuilder path = new StringBuilder();
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            String element = name.getElement(i, ConfigurationPropertyName.Form.DASHED);
            boolean index = name.isNumericIndex(i);
            if (node == ANY) {
                return Optional.empty();
            }
            if (!(node instanceof Map<?, ?> children)) {
                return Optional.of(new ConfigProblem(path.toString(), "takes a single value, not keys below it such as "
                        + Quoted.of(element)));
            }
            Object child = children.containsKey(WILDCARD) ? children.get(WILDCARD) : children.get(element);
            if (index && children.containsKey(INDEX)) {
                child = children.get(INDEX);
            }
            path.append(path.isEmpty() ? "" : ".").append(index ? "[" + element + "]" : element);
            if (child == null) {
                Set<String> known = new TreeSet<>();
                children.keySet().forEach(key -> known.add(String.valueOf(key)));
                return Optional.of(new ConfigProblem(path.toString(), "unknown key" + suggestion(element, known)));
            }
            node = child;
        }
        return Optional.empty();
    }

    // --- the tree of known keys ---------------------------------------------------------------------------------

    /** Any key, at any depth, is allowed below this node (a map of strings, checked by its owner). */
    private static final Object ANY = new Object();
    private static final String WILDCARD = "*";
    private static final String INDEX = "[]";
    private static final Map<String, Object> KEYS = keys();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> keys() {
        Map<String, Object> keys = new LinkedHashMap<>((Map<String, Object>) node(SwitchboardProperties.class));
        keys.put("sandbox", node(SandboxProperties.class));
        keys.putAll(VALUE_KEYS);
        return keys;
    }

    /** The keys below a value of {@code type}: a map of child nodes, {@link #ANY}, or the type itself (a leaf). */
    private static Object node(Type type) {
        Class<?> raw = raw(type);
        if (Map.class.isAssignableFrom(raw)) {
            Type value = argument(type, 1);
            return isScalar(raw(value)) ? ANY : Map.of(WILDCARD, node(value));
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return Map.of(INDEX, node(argument(type, 0)));
        }
        if (isScalar(raw)) {
            return raw;
        }
        Map<String, Object> children = new LinkedHashMap<>();
        if (raw.isRecord()) {
            for (RecordComponent component : raw.getRecordComponents()) {
                children.put(dashed(component.getName()), node(component.getGenericType()));
            }
            return children;
        }
        for (Method getter : raw.getMethods()) {
            String property = property(getter);
            if (property != null) {
                children.put(dashed(property), node(getter.getGenericReturnType()));
            }
        }
        return children;
    }

    private static String property(Method method) {
        if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0
                || method.getDeclaringClass() == Object.class) {
            return null;
        }
        String name = method.getName();
        if (name.startsWith("get") && name.length() > 3) {
            return Character.toLowerCase(name.charAt(3)) + name.substring(4);
        }
        if (name.startsWith("is") && name.length() > 2 && method.getReturnType() == boolean.class) {
            return Character.toLowerCase(name.charAt(2)) + name.substring(3);
        }
        return null;
    }

    private static boolean isScalar(Class<?> type) {
        return type.isPrimitive() || type.isEnum() || Number.class.isAssignableFrom(type) || type == String.class
                || type == Boolean.class || type == Character.class || type == Duration.class || type == Path.class
                || type == URI.class || type == Object.class;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> plain) {
            return plain;
        }
        if (type instanceof ParameterizedType parameterized) {
            return (Class<?>) parameterized.getRawType();
        }
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType parameterized ? parameterized.getActualTypeArguments()[index]
                : Object.class;
    }

    private static String dashed(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    // --- values that do not convert ------------------------------------------------------------------------------

    /** Records each value that fails to bind, and binds the rest as if it were absent. */
    private static final class Collecting extends AbstractBindHandler {

        final Map<String, ConfigProblem> problems = new LinkedHashMap<>();

        @Override
        public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                                Exception error) {
            String path = ROOT.isAncestorOf(name) ? name.subName(1).toString() : name.toString();
            ConfigurationProperty property = context.getConfigurationProperty();
            String message;
            if (property != null && property.getValue() != null) {
                message = "must be " + expected(raw(target.getType().getType())) + ", was "
                        + Quoted.of(String.valueOf(property.getValue()));
            } else {
                message = rootMessage(error);
            }
            problems.putIfAbsent(path, new ConfigProblem(path, message));
            return null;
        }
    }

    private static String expected(Class<?> type) {
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 5m or 1h";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(constant -> ((Enum<?>) constant).name()
                    .toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", "));
        }
        if (type == URI.class) {
            return "a URI";
        }
        if (type == Path.class) {
            return "a file system path";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    // --- did you mean ----------------------------------------------------------------------------------------------

    private static String suggestion(String key, Collection<String> known) {
        Set<String> listed = new LinkedHashSet<>(known);
        listed.remove(WILDCARD);
        listed.remove(INDEX);
        return " " + Quoted.of(key) + Suggestions.nearest(key, listed).map(candidate -> "; did you mean "
                + Quoted.of(candidate) + "?").orElse("; known keys here: " + String.join(", ", listed));
    }
}
