package dev.switchboard.connector.sagemaker;

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

/** The options of a SageMaker connection, and the settings parsed from a validated configuration. */
public final class SageMakerOptions {

    public static final String REGION = "region";
    public static final String ACCESS_KEY_ID = "access-key-id";
    public static final String SECRET_ACCESS_KEY = "secret-access-key";
    public static final String SESSION_TOKEN = "session-token";
    public static final String ENDPOINT_OVERRIDE = "endpoint-override";
    public static final String DEFAULT_IMAGE = "default-image";
    public static final String WEBHOOK_SECRET = "webhook-secret";
    public static final String WEBHOOK_HEADER = "webhook-header";
    public static final String PAGE_SIZE = "page-size";
    public static final String MAX_ATTEMPTS = "max-attempts";
    public static final String REQUEST_TIMEOUT = "request-timeout";

    /** {@code MaxResults} of ListModelPackageGroups and ListModelPackages is 1 to 100. */
    public static final int MAX_PAGE_SIZE = 100;

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.optional(REGION, OptionType.STRING, null,
                    "AWS region (eu-west-1); default: the SDK's chain (AWS_REGION, profile). Required with endpoint-override."),
            OptionDefinition.optional(ACCESS_KEY_ID, OptionType.STRING, null,
                    "Access key id; with secret-access-key. Default: the SDK's credential chain (env, profile, role).")
                    .asSecret(),
            OptionDefinition.optional(SECRET_ACCESS_KEY, OptionType.STRING, null, "Secret access key.").asSecret(),
            OptionDefinition.optional(SESSION_TOKEN, OptionType.STRING, null,
                    "Session token of temporary credentials; needs access-key-id.").asSecret(),
            OptionDefinition.optional(ENDPOINT_OVERRIDE, OptionType.URL, null,
                    "SageMaker API endpoint instead of https://api.sagemaker.<region>.amazonaws.com (VPC endpoints, tests)."),
            OptionDefinition.optional(DEFAULT_IMAGE, OptionType.STRING, null,
                    "Inference image (ECR path) for versions created without an image parameter."),
            OptionDefinition.optional(WEBHOOK_SECRET, OptionType.STRING, null,
                    "Shared secret the EventBridge API destination sends in webhook-header; webhooks are refused without it.")
                    .asSecret(),
            OptionDefinition.optional(WEBHOOK_HEADER, OptionType.STRING, "X-Switchboard-Secret",
                    "Header the EventBridge connection (API key authorization) carries the webhook secret in."),
            OptionDefinition.optional(PAGE_SIZE, OptionType.INTEGER, "100",
                    "MaxResults of list calls, 1 to " + MAX_PAGE_SIZE + "."),
            OptionDefinition.optional(MAX_ATTEMPTS, OptionType.INTEGER, "3",
                    "Attempts per API call by the SDK's standard retry (throttling, 5xx) before the hub's own retry."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "30s", "Timeout of one API call."));

    private SageMakerOptions() {
    }

    /** The option checks plus the rules that span options. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        boolean keyId = config.string(ACCESS_KEY_ID).isPresent();
        boolean secretKey = config.string(SECRET_ACCESS_KEY).isPresent();
        if (keyId != secretKey) {
            String missing = keyId ? SECRET_ACCESS_KEY : ACCESS_KEY_ID;
            problems.add(new ConfigProblem(config.optionPath(missing), "is required when "
                    + (keyId ? ACCESS_KEY_ID : SECRET_ACCESS_KEY) + " is set"));
        }
        if (config.string(SESSION_TOKEN).isPresent() && !keyId) {
            problems.add(new ConfigProblem(config.optionPath(ACCESS_KEY_ID), "is required when session-token is set"));
        }
        if (config.string(ENDPOINT_OVERRIDE).isPresent() && config.string(REGION).isEmpty()) {
            problems.add(new ConfigProblem(config.optionPath(REGION),
                    "is required with endpoint-override: the SDK signs requests for a region"));
        }
        config.string(REGION).filter(region -> !region.matches("[a-z]{2}(-[a-z]+)+-\\d+|[a-z0-9-]+-local"))
                .ifPresent(region -> problems.add(new ConfigProblem(config.optionPath(REGION),
                        "must be an AWS region such as eu-west-1, was \"" + region + "\"")));
        range(config, PAGE_SIZE, 1, MAX_PAGE_SIZE, problems);
        range(config, MAX_ATTEMPTS, 1, 10, problems);
        return problems;
    }

    private static void range(ConnectionConfig config, String option, int min, int max, List<ConfigProblem> problems) {
        config.string(option).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(v -> v < min || v > max)
                .ifPresent(v -> problems.add(new ConfigProblem(config.optionPath(option),
                        "must be between " + min + " and " + max + ", was " + v)));
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param accessKeyId empty for the SDK's default credential chain; never logged, like the other secrets
     */
    record Settings(String connection, Optional<String> region, Optional<String> accessKeyId,
                    Optional<String> secretAccessKey, Optional<String> sessionToken, Optional<URI> endpointOverride,
                    Optional<String> defaultImage, Optional<String> webhookSecret, String webhookHeader, int pageSize,
                    int maxAttempts, Duration requestTimeout) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            return new Settings(config.name(), config.string(REGION), config.string(ACCESS_KEY_ID),
                    config.string(SECRET_ACCESS_KEY), config.string(SESSION_TOKEN), config.url(ENDPOINT_OVERRIDE),
                    config.string(DEFAULT_IMAGE), config.string(WEBHOOK_SECRET), config.require(WEBHOOK_HEADER),
                    config.integer(PAGE_SIZE).orElseThrow(), config.integer(MAX_ATTEMPTS).orElseThrow(),
                    config.duration(REQUEST_TIMEOUT).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", region=" + region.orElse("(SDK chain)") + ", endpoint="
                    + endpointOverride.map(URI::toString).orElse("(AWS)") + "]";
        }
    }
}
