package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The options of a Kubeflow Model Registry connection, and the settings parsed from a validated configuration. */
public final class RegistryOptions {

    public static final String URL = "url";
    public static final String TOKEN = "token";
    public static final String USER_ID = "user-id";
    public static final String USER_ID_HEADER = "user-id-header";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String PAGE_SIZE = "page-size";

    /** The connector's own ceiling: the registry has none (pageSize 0 or absent returns everything). */
    public static final int MAX_PAGE_SIZE = 1000;

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(URL, OptionType.URL,
                    "Base URL of the Model Registry REST server, e.g. http://model-registry-service.kubeflow:8080 "
                            + "(without /api/model_registry/v1alpha3)."),
            OptionDefinition.optional(TOKEN, OptionType.STRING, null,
                    "Bearer token sent as Authorization (a Kubernetes service-account token for kube-rbac-proxy or "
                            + "Istio in front of the registry).").asSecret(),
            OptionDefinition.optional(USER_ID, OptionType.STRING, null,
                    "User identity for multi-user deployments behind a proxy that trusts an identity header; sent "
                            + "in user-id-header."),
            OptionDefinition.optional(USER_ID_HEADER, OptionType.STRING, "kubeflow-userid",
                    "Name of the identity header user-id is sent in."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "30s",
                    "Timeout of one HTTP request (and of connecting)."),
            OptionDefinition.optional(PAGE_SIZE, OptionType.INTEGER, "100",
                    "pageSize of every list request and of polling, 1 to " + MAX_PAGE_SIZE
                            + " (always sent: without it the registry returns everything)."));

    private RegistryOptions() {
    }

    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(PAGE_SIZE).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(size -> size < 1 || size > MAX_PAGE_SIZE)
                .ifPresent(size -> problems.add(new ConfigProblem(config.optionPath(PAGE_SIZE),
                        "must be between 1 and " + MAX_PAGE_SIZE + ", was " + size)));
        config.string(URL).filter(url -> url.contains("/api/model_registry"))
                .ifPresent(url -> problems.add(new ConfigProblem(config.optionPath(URL),
                        "must be the server's base URL without /api/model_registry/v1alpha3, was \"" + url + "\"")));
        config.string(USER_ID_HEADER).filter(h -> !h.trim().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+"))
                .ifPresent(h -> problems.add(new ConfigProblem(config.optionPath(USER_ID_HEADER),
                        "must be an HTTP header name, was \"" + h + "\"")));
        return problems;
    }

    /** What a connection needs; {@link #toString()} never shows the token. */
    record Settings(String connection, URI url, Optional<String> token, Optional<Map.Entry<String, String>> userHeader,
                    Duration requestTimeout, int pageSize) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            String url = config.require(URL).trim();
            URI base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            Optional<Map.Entry<String, String>> user = config.string(USER_ID)
                    .map(id -> Map.entry(config.require(USER_ID_HEADER).trim(), id));
            return new Settings(config.name(), base, config.string(TOKEN), user,
                    config.duration(REQUEST_TIMEOUT).orElseThrow(), config.integer(PAGE_SIZE).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", url=" + url + "]";
        }
    }
}
