package dev.switchboard.connector.mlflow;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** The options of an MLflow connection, and the settings parsed from a validated configuration. */
public final class MlflowOptions {

    public static final String TRACKING_URL = "tracking-url";
    public static final String TOKEN = "token";
    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";
    public static final String WORKSPACE = "workspace";
    public static final String WEBHOOK_SECRET = "webhook-secret";
    public static final String WEBHOOK_MAX_AGE = "webhook-max-age";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String PAGE_SIZE = "page-size";

    /** MLflow rejects {@code registered-models/search} with {@code max_results} above this. */
    public static final int MAX_PAGE_SIZE = 1000;

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(TRACKING_URL, OptionType.URL,
                    "Base URL of the MLflow tracking server, e.g. https://mlflow.example.com (no /api suffix)."),
            OptionDefinition.optional(TOKEN, OptionType.STRING, null,
                    "Bearer token (Databricks PAT, proxy or service-account token); not with username/password.")
                    .asSecret(),
            OptionDefinition.optional(USERNAME, OptionType.STRING, null,
                    "User for MLflow basic auth (mlflow server --app-name basic-auth); needs password."),
            OptionDefinition.optional(PASSWORD, OptionType.STRING, null, "Password for MLflow basic auth.").asSecret(),
            OptionDefinition.optional(WORKSPACE, OptionType.STRING, null,
                    "MLflow workspace (MLflow 3.10+), sent as the X-MLFLOW-WORKSPACE header; omit for the default."),
            OptionDefinition.optional(WEBHOOK_SECRET, OptionType.STRING, null,
                    "Secret MLflow signs webhooks with; webhooks are rejected while it is not set.").asSecret(),
            OptionDefinition.optional(WEBHOOK_MAX_AGE, OptionType.DURATION, "5m",
                    "How far an MLflow webhook's X-MLflow-Timestamp may be from the hub's clock (replay window)."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "30s",
                    "Timeout of one HTTP request (and of connecting)."),
            OptionDefinition.optional(PAGE_SIZE, OptionType.INTEGER, "100",
                    "Page size for searches and polling, 1 to " + MAX_PAGE_SIZE + "."));

    private MlflowOptions() {
    }

    /** The option checks plus the rules that span options. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        boolean token = config.string(TOKEN).isPresent();
        boolean username = config.string(USERNAME).isPresent();
        boolean password = config.string(PASSWORD).isPresent();
        if (token && (username || password)) {
            problems.add(new ConfigProblem(config.optionPath(TOKEN),
                    "set either token or username/password, not both"));
        }
        if (username && !password) {
            problems.add(new ConfigProblem(config.optionPath(PASSWORD), "is required when username is set"));
        }
        if (password && !username) {
            problems.add(new ConfigProblem(config.optionPath(USERNAME), "is required when password is set"));
        }
        config.string(PAGE_SIZE).filter(MlflowOptions::isInteger).map(v -> Integer.parseInt(v.trim()))
                .filter(size -> size < 1 || size > MAX_PAGE_SIZE)
                .ifPresent(size -> problems.add(new ConfigProblem(config.optionPath(PAGE_SIZE),
                        "must be between 1 and " + MAX_PAGE_SIZE + ", was " + size)));
        config.string(TRACKING_URL).filter(url -> url.contains("/api/2.0"))
                .ifPresent(url -> problems.add(new ConfigProblem(config.optionPath(TRACKING_URL),
                        "must be the server's base URL without /api/2.0, was \"" + url + "\"")));
        return problems;
    }

    private static boolean isInteger(String value) {
        return value.trim().matches("-?\\d{1,9}");
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param authorization the {@code Authorization} header value, or empty; never logged
     */
    record Settings(String connection, URI trackingUrl, Optional<String> authorization, Optional<String> workspace,
                    Optional<String> webhookSecret, Duration webhookMaxAge, Duration requestTimeout, int pageSize) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            String url = config.require(TRACKING_URL).trim();
            URI base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            // Basic wins when both are set, as in MLflow's own client (validate() rejects that case anyway).
            Optional<String> authorization = config.string(USERNAME)
                    .map(user -> "Basic " + Base64.getEncoder().encodeToString(
                            (user + ":" + config.string(PASSWORD).orElse("")).getBytes(StandardCharsets.UTF_8)))
                    .or(() -> config.string(TOKEN).map(token -> "Bearer " + token));
            return new Settings(config.name(), base, authorization, config.string(WORKSPACE),
                    config.string(WEBHOOK_SECRET), config.duration(WEBHOOK_MAX_AGE).orElseThrow(),
                    config.duration(REQUEST_TIMEOUT).orElseThrow(), config.integer(PAGE_SIZE).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", trackingUrl=" + trackingUrl + ", workspace="
                    + workspace.orElse("-") + "]";
        }
    }
}
