package dev.switchboard.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Validation and parsing of option values against their {@link OptionDefinition}s. */
public final class Options {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Options() {
    }

    /**
     * Checks every value of {@code config} against {@code definitions} and returns every problem: missing
     * required options, values of the wrong type, and option names no definition knows (usually typos).
     * Values of secret options are never quoted in a message.
     */
    public static List<ConfigProblem> validate(List<OptionDefinition> definitions, ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, OptionDefinition> byName = definitions.stream()
                .collect(Collectors.toMap(OptionDefinition::name, d -> d));
        for (OptionDefinition definition : definitions) {
            String value = config.options().get(definition.name());
            String path = config.optionPath(definition.name());
            if (value == null || value.isBlank()) {
                if (definition.required()) {
                    problems.add(new ConfigProblem(path, "is required: " + definition.description()));
                }
                continue;
            }
            String error = typeError(definition.type(), value);
            if (error != null) {
                String shown = definition.secret() ? "(secret, not shown)" : "\"" + value + "\"";
                problems.add(new ConfigProblem(path, error + ", was " + shown));
            }
        }
        for (String name : config.options().keySet()) {
            if (!byName.containsKey(name)) {
                problems.add(new ConfigProblem(config.optionPath(name), "is not an option of connector type "
                        + config.type() + "; known options: " + String.join(", ", byName.keySet().stream().sorted().toList())));
            }
        }
        return problems;
    }

    /** The defaults of {@code definitions} that have one, by option name. */
    public static Map<String, String> defaults(List<OptionDefinition> definitions) {
        Map<String, String> defaults = new HashMap<>();
        for (OptionDefinition definition : definitions) {
            if (definition.defaultValue() != null) {
                defaults.put(definition.name(), definition.defaultValue());
            }
        }
        return defaults;
    }

    /** Names of the secret options in {@code definitions}. */
    public static Set<String> secrets(List<OptionDefinition> definitions) {
        return definitions.stream().filter(OptionDefinition::secret).map(OptionDefinition::name)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Parses {@code PT30S} or {@code 30s}/{@code 500ms}/{@code 5m}/{@code 1h}/{@code 1d}. */
    public static Duration parseDuration(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT_DURATION.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        return Duration.parse(value.trim());
    }

    private static String typeError(OptionType type, String value) {
        return switch (type) {
            case STRING -> null;
            case URL -> isHttpUrl(value) ? null : "must be an absolute http(s) URL";
            case INTEGER -> isInteger(value) ? null : "must be a whole number";
            case BOOLEAN -> value.trim().equalsIgnoreCase("true") || value.trim().equalsIgnoreCase("false")
                    ? null : "must be true or false";
            case DURATION -> isDuration(value) ? null : "must be a duration such as 30s, 500ms or PT1M";
        };
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme();
            return uri.isAbsolute() && uri.getHost() != null
                    && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isInteger(String value) {
        try {
            Integer.parseInt(value.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isDuration(String value) {
        try {
            parseDuration(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
