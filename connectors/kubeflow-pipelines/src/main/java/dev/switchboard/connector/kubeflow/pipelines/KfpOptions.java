package dev.switchboard.connector.kubeflow.pipelines;

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

/** The options of a Kubeflow Pipelines connection. */
public final class KfpOptions {

    public static final String URL = "url";
    public static final String TOKEN = "token";
    public static final String NAMESPACE = "namespace";
    public static final String EXPERIMENT_ID = "experiment-id";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String PAGE_SIZE = "page-size";

    /** KFP silently caps {@code page_size} at 200. */
    public static final int MAX_PAGE_SIZE = 200;

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(URL, OptionType.URL,
                    "Base URL of the KFP API server, e.g. http://ml-pipeline.kubeflow:8888 (without /apis/v2beta1)."),
            OptionDefinition.optional(TOKEN, OptionType.STRING, null,
                    "Bearer token: a projected service-account token with audience pipelines.kubeflow.org "
                            + "(multi-user Kubeflow); none for single-user installs.").asSecret(),
            OptionDefinition.optional(NAMESPACE, OptionType.STRING, null,
                    "Kubernetes namespace (Kubeflow profile) whose runs are polled and listed; required by "
                            + "multi-user installs."),
            OptionDefinition.optional(EXPERIMENT_ID, OptionType.STRING, null,
                    "Experiment run-pipeline creates runs in when the route names none (else KFP's default)."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "30s",
                    "Timeout of one HTTP request (and of connecting)."),
            OptionDefinition.optional(PAGE_SIZE, OptionType.INTEGER, "100",
                    "page_size of listings and polling, 1 to " + MAX_PAGE_SIZE + " (KFP caps it at 200)."));

    private KfpOptions() {
    }

    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(PAGE_SIZE).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(size -> size < 1 || size > MAX_PAGE_SIZE)
                .ifPresent(size -> problems.add(new ConfigProblem(config.optionPath(PAGE_SIZE),
                        "must be between 1 and " + MAX_PAGE_SIZE + " (KFP caps page_size at 200), was " + size)));
        config.string(URL).filter(url -> url.contains("/apis/"))
                .ifPresent(url -> problems.add(new ConfigProblem(config.optionPath(URL),
                        "must be the API server's base URL without /apis/v2beta1, was \"" + url + "\"")));
        return problems;
    }

    record Settings(String connection, URI url, Optional<String> token, Optional<String> namespace,
                    Optional<String> experimentId, Duration requestTimeout, int pageSize) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            String url = config.require(URL).trim();
            return new Settings(config.name(), URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
                    config.string(TOKEN), config.string(NAMESPACE), config.string(EXPERIMENT_ID),
                    config.duration(REQUEST_TIMEOUT).orElseThrow(), config.integer(PAGE_SIZE).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", url=" + url + "]";
        }
    }
}
