package dev.switchboard.connector.github;

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
import java.util.Set;

/** The options of a GitHub connection, and the settings parsed from a validated configuration. */
public final class GitHubOptions {

    public static final String API_URL = "api-url";
    public static final String TOKEN = "token";
    public static final String REPOSITORY = "repository";
    public static final String API_VERSION = "api-version";
    public static final String WEBHOOK_SECRET = "webhook-secret";
    public static final String RETURN_RUN_DETAILS = "return-run-details";
    public static final String KEY_INPUT = "idempotency-input";
    public static final String RUN_LOOKUP_INTERVAL = "run-lookup-interval";
    public static final String REQUEST_TIMEOUT = "request-timeout";

    /** The REST API versions GitHub serves; others are answered 410 Gone. */
    public static final Set<String> API_VERSIONS = Set.of("2022-11-28", "2026-03-10");

    static final String REPOSITORY_PATTERN = "[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+";

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.optional(API_URL, OptionType.URL, "https://api.github.com",
                    "REST API base: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server."),
            OptionDefinition.optional(TOKEN, OptionType.STRING, null,
                    "Token (fine-grained PAT, app installation token) with Actions write on the repositories.")
                    .asSecret(),
            OptionDefinition.optional(REPOSITORY, OptionType.STRING, null,
                    "Default owner/repo for actions; an action's repository parameter overrides it."),
            OptionDefinition.optional(API_VERSION, OptionType.STRING, "2022-11-28",
                    "X-GitHub-Api-Version header: 2022-11-28 or 2026-03-10."),
            OptionDefinition.optional(WEBHOOK_SECRET, OptionType.STRING, null,
                    "Secret of the repository or organisation webhook (X-Hub-Signature-256); webhooks are refused without it.")
                    .asSecret(),
            OptionDefinition.optional(RETURN_RUN_DETAILS, OptionType.BOOLEAN, "true",
                    "Ask workflow_dispatch for the run id (github.com); turned off by itself where the server refuses it."),
            OptionDefinition.optional(KEY_INPUT, OptionType.STRING, null,
                    "Workflow input that receives the hub's idempotency key; if the workflow's run-name shows it, a "
                            + "retried dispatch finds the first run instead of starting a second."),
            OptionDefinition.optional(RUN_LOOKUP_INTERVAL, OptionType.DURATION, "2s",
                    "Wait between the (at most 5) looks for a dispatched run when the server returns no run id."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "30s", "Timeout of one HTTP request."));

    private GitHubOptions() {
    }

    /** The option checks plus the rules that span options. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(REPOSITORY).filter(repo -> !repo.trim().matches(REPOSITORY_PATTERN))
                .ifPresent(repo -> problems.add(new ConfigProblem(config.optionPath(REPOSITORY),
                        "must be owner/repo, was \"" + repo + "\"")));
        config.string(API_VERSION).filter(version -> !API_VERSIONS.contains(version.trim()))
                .ifPresent(version -> problems.add(new ConfigProblem(config.optionPath(API_VERSION),
                        "must be one of " + new java.util.TreeSet<>(API_VERSIONS) + ", was \"" + version + "\"")));
        config.string(API_URL).filter(url -> url.contains("github.com") && !url.contains("api.github.com"))
                .ifPresent(url -> problems.add(new ConfigProblem(config.optionPath(API_URL),
                        "must be the API's URL (https://api.github.com), not the web site's, was \"" + url + "\"")));
        return problems;
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param token empty when only webhooks are received; never logged
     */
    record Settings(String connection, URI apiUrl, Optional<String> token, Optional<String> repository,
                    String apiVersion, Optional<String> webhookSecret, boolean returnRunDetails,
                    Optional<String> keyInput, Duration runLookupInterval, Duration requestTimeout) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            String url = config.require(API_URL).trim();
            return new Settings(config.name(), URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
                    config.string(TOKEN), config.string(REPOSITORY).map(String::trim), config.require(API_VERSION).trim(),
                    config.string(WEBHOOK_SECRET), config.bool(RETURN_RUN_DETAILS).orElse(true), config.string(KEY_INPUT),
                    config.duration(RUN_LOOKUP_INTERVAL).orElseThrow(), config.duration(REQUEST_TIMEOUT).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", apiUrl=" + apiUrl + ", repository="
                    + repository.orElse("-") + ", apiVersion=" + apiVersion + "]";
        }
    }
}
