package dev.switchboard.connector.dvc;

import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The options of a DVC connection, and the settings parsed from a validated configuration. Every credential is an
 * option: the repository's {@code .dvc/config} is committed, so the connector never reads a credential from it.
 */
public final class DvcOptions {

    public static final String REPOSITORY = "repository";
    public static final String BRANCH = "branch";
    public static final String GIT_USERNAME = "git-username";
    public static final String TOKEN = "token";
    public static final String CLONE_DIRECTORY = "clone-directory";
    public static final String WEBHOOK_SECRET = "webhook-secret";
    public static final String WEBHOOK_REPOSITORY = "webhook-repository";
    public static final String REMOTE = "remote";
    public static final String S3_REGION = "s3-region";
    public static final String S3_ENDPOINT = "s3-endpoint-override";
    public static final String S3_PATH_STYLE = "s3-path-style";
    public static final String S3_ACCESS_KEY_ID = "s3-access-key-id";
    public static final String S3_SECRET_ACCESS_KEY = "s3-secret-access-key";
    public static final String HTTP_USER = "http-user";
    public static final String HTTP_PASSWORD = "http-password";
    public static final String REQUEST_TIMEOUT = "request-timeout";

    static final String FULL_NAME_PATTERN = "[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+";

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(REPOSITORY, OptionType.STRING,
                    "The Git repository holding the DVC project: a local path, or an https://, ssh:// or file:// URL "
                            + "the hub clones (bare) into clone-directory and fetches before reading."),
            OptionDefinition.optional(BRANCH, OptionType.STRING, "main",
                    "The branch whose pushes and head are watched, and that artifact URIs without @rev read."),
            OptionDefinition.optional(GIT_USERNAME, OptionType.STRING, "x-access-token",
                    "User name sent with token over HTTPS (GitHub accepts any; GitLab: oauth2 for OAuth tokens)."),
            OptionDefinition.optional(TOKEN, OptionType.STRING, null,
                    "Token (password) for fetching from and pushing to an HTTPS repository URL.").asSecret(),
            OptionDefinition.optional(CLONE_DIRECTORY, OptionType.STRING, null,
                    "Where the bare clone of a remote repository is kept; default: <tmp>/switchboard-dvc/<connection>."),
            OptionDefinition.optional(WEBHOOK_SECRET, OptionType.STRING, null,
                    "Secret of the push webhook: GitHub's X-Hub-Signature-256 key, or GitLab's X-Gitlab-Token.")
                    .asSecret(),
            OptionDefinition.optional(WEBHOOK_REPOSITORY, OptionType.STRING, null,
                    "owner/repo (GitHub) or group/project (GitLab) whose pushes are accepted; default: matched "
                            + "against the repository URL."),
            OptionDefinition.optional(REMOTE, OptionType.STRING, null,
                    "DVC remote to read and write; default: the output's own remote, else core.remote of .dvc/config."),
            OptionDefinition.optional(S3_REGION, OptionType.STRING, null,
                    "Region of s3:// remotes; default: the remote's region in .dvc/config, else us-east-1."),
            OptionDefinition.optional(S3_ENDPOINT, OptionType.URL, null,
                    "Endpoint of an S3-compatible server for s3:// remotes. The repository's endpointurl is not "
                            + "used: a commit must not be able to send the hub's credentials elsewhere."),
            OptionDefinition.optional(S3_PATH_STYLE, OptionType.BOOLEAN, "false",
                    "Path-style S3 addressing (MinIO, S3Proxy)."),
            OptionDefinition.optional(S3_ACCESS_KEY_ID, OptionType.STRING, null,
                    "Access key id for s3:// remotes; default: the AWS SDK's default credentials chain.").asSecret(),
            OptionDefinition.optional(S3_SECRET_ACCESS_KEY, OptionType.STRING, null,
                    "Secret access key for s3:// remotes.").asSecret(),
            OptionDefinition.optional(HTTP_USER, OptionType.STRING, null,
                    "Basic-auth user for http(s):// remotes."),
            OptionDefinition.optional(HTTP_PASSWORD, OptionType.STRING, null,
                    "Basic-auth password for http(s):// remotes.").asSecret(),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "60s",
                    "Timeout of one request to a remote or a Git server."));

    private DvcOptions() {
    }

    /** The option checks plus the rules that span options. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(REPOSITORY).map(String::trim).filter(repo -> repo.contains("://")
                        && !List.of("https", "http", "ssh", "file", "git").contains(scheme(repo)))
                .ifPresent(repo -> problems.add(new ConfigProblem(config.optionPath(REPOSITORY),
                        "must be a local path or an https://, ssh://, git:// or file:// URL, was \"" + repo + "\"")));
        config.string(REPOSITORY).map(String::trim).filter(repo -> repo.matches("(?i)https?://[^/]*@.*"))
                .ifPresent(repo -> problems.add(new ConfigProblem(config.optionPath(REPOSITORY),
                        "must not carry credentials in the URL; use the token option")));
        config.string(BRANCH).filter(branch -> !branch.trim().matches("[A-Za-z0-9._/-]+") || branch.contains(".."))
                .ifPresent(branch -> problems.add(new ConfigProblem(config.optionPath(BRANCH),
                        "must be a branch name such as main, was \"" + branch + "\"")));
        config.string(WEBHOOK_REPOSITORY).filter(name -> !name.trim().matches(FULL_NAME_PATTERN))
                .ifPresent(name -> problems.add(new ConfigProblem(config.optionPath(WEBHOOK_REPOSITORY),
                        "must be owner/repo or group/project, was \"" + name + "\"")));
        if (config.string(S3_SECRET_ACCESS_KEY).isPresent() != config.string(S3_ACCESS_KEY_ID).isPresent()) {
            problems.add(new ConfigProblem(config.optionPath(config.string(S3_ACCESS_KEY_ID).isPresent()
                    ? S3_SECRET_ACCESS_KEY : S3_ACCESS_KEY_ID), "is required when "
                    + (config.string(S3_ACCESS_KEY_ID).isPresent() ? S3_ACCESS_KEY_ID : S3_SECRET_ACCESS_KEY)
                    + " is set"));
        }
        if (config.string(HTTP_PASSWORD).isPresent() && config.string(HTTP_USER).isEmpty()) {
            problems.add(new ConfigProblem(config.optionPath(HTTP_USER), "is required when http-password is set"));
        }
        return problems;
    }

    private static String scheme(String url) {
        return url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param token never logged; {@link #toString()} leaves out every secret
     */
    record Settings(String connection, String repository, String branch, String gitUsername, Optional<String> token,
                    Path cloneDirectory, Optional<String> webhookSecret, Optional<String> webhookRepository,
                    Optional<String> remote, Optional<String> s3Region, Optional<URI> s3Endpoint, boolean s3PathStyle,
                    Optional<String> s3AccessKeyId, Optional<String> s3SecretAccessKey, Optional<String> httpUser,
                    Optional<String> httpPassword, Duration requestTimeout) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            Path clones = config.string(CLONE_DIRECTORY).map(String::trim).map(Path::of).orElseGet(() ->
                    Path.of(System.getProperty("java.io.tmpdir"), "switchboard-dvc", config.name()));
            return new Settings(config.name(), config.require(REPOSITORY).trim(), config.require(BRANCH).trim(),
                    config.require(GIT_USERNAME).trim(), config.string(TOKEN), clones, config.string(WEBHOOK_SECRET),
                    config.string(WEBHOOK_REPOSITORY).map(String::trim), config.string(REMOTE).map(String::trim),
                    config.string(S3_REGION).map(String::trim), config.url(S3_ENDPOINT),
                    config.bool(S3_PATH_STYLE).orElse(false), config.string(S3_ACCESS_KEY_ID).map(String::trim),
                    config.string(S3_SECRET_ACCESS_KEY), config.string(HTTP_USER), config.string(HTTP_PASSWORD),
                    config.duration(REQUEST_TIMEOUT).orElseThrow());
        }

        /** Whether the repository is a URL the hub clones, rather than a local path it reads in place. */
        boolean remoteRepository() {
            return repository.contains("://");
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", repository=" + repository + ", branch=" + branch + "]";
        }
    }
}
