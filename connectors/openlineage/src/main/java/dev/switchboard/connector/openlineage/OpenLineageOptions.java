package dev.switchboard.connector.openlineage;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options of an OpenLineage connection, and the settings parsed from a validated configuration. */
public final class OpenLineageOptions {

    public static final String URL = "url";
    public static final String API_KEY = "api-key";
    public static final String NAMESPACE = "namespace";
    public static final String PRODUCER = "producer";
    public static final String REQUEST_TIMEOUT = "request-timeout";

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(URL, OptionType.URL,
                    "The OpenLineage HTTP endpoint events are posted to, e.g. http://marquez:5000/api/v1/lineage."),
            OptionDefinition.optional(API_KEY, OptionType.STRING, null,
                    "Sent as Authorization: Bearer <api-key>, for backends that ask for one.").asSecret(),
            OptionDefinition.optional(NAMESPACE, OptionType.STRING, "switchboard",
                    "The job namespace of the events; an action's namespace parameter overrides it."),
            OptionDefinition.optional(PRODUCER, OptionType.STRING, "urn:switchboard:hub",
                    "The events' producer URI: who emitted them."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "10s", "Timeout of one HTTP request."));

    private OpenLineageOptions() {
    }

    /** The option checks plus the producer's: the spec requires an absolute URI. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(PRODUCER).filter(producer -> !isAbsoluteUri(producer.trim()))
                .ifPresent(producer -> problems.add(new ConfigProblem(config.optionPath(PRODUCER),
                        "must be an absolute URI (https://…, urn:…), was \"" + producer + "\"")));
        return problems;
    }

    private static boolean isAbsoluteUri(String value) {
        try {
            return URI.create(value).isAbsolute();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param apiKey empty when the backend asks for none; never logged
     */
    record Settings(String connection, URI url, Optional<String> apiKey, String namespace, String producer,
                    Duration requestTimeout) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            return new Settings(config.name(), URI.create(config.require(URL).trim()), config.string(API_KEY),
                    config.require(NAMESPACE).trim(), config.require(PRODUCER).trim(),
                    config.duration(REQUEST_TIMEOUT).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", url=" + url + ", namespace=" + namespace + "]";
        }
    }
}
