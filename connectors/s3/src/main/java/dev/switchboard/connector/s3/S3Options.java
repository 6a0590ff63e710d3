package dev.switchboard.connector.s3;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The options of an S3 connection, and the settings parsed from a validated configuration. */
public final class S3Options {

    public static final String BUCKET_PREFIX = "bucket-prefix";
    public static final String REGION = "region";
    public static final String ENDPOINT_OVERRIDE = "endpoint-override";
    public static final String PATH_STYLE = "path-style";
    public static final String ACCESS_KEY_ID = "access-key-id";
    public static final String SECRET_ACCESS_KEY = "secret-access-key";
    public static final String SESSION_TOKEN = "session-token";
    public static final String PART_SIZE_MB = "part-size-mb";
    public static final String PARTS_IN_FLIGHT = "parts-in-flight";
    public static final String CONTENT_MD5 = "content-md5";
    public static final String SINGLE_PUT_MAX_MB = "single-put-max-mb";
    public static final String MAX_ATTEMPTS = "max-attempts";
    public static final String REQUEST_TIMEOUT = "request-timeout";

    /** S3's smallest part of a multipart upload, except the last. */
    public static final int MIN_PART_SIZE_MB = 5;

    /** S3's largest object in one PutObject, and so the most {@value #SINGLE_PUT_MAX_MB} can be. */
    public static final int MAX_SINGLE_PUT_MB = 5 * 1024;

    /** More parts in flight than this buy nothing on one connection and cost a part's size of memory each. */
    public static final int MAX_PARTS_IN_FLIGHT = 16;

    /** {@code s3://bucket} or {@code s3://bucket/prefix}; bucket names per S3's rules (3-63, lower case). */
    static final Pattern BUCKET_URI = Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?");

    public static final List<OptionDefinition> DEFINITIONS = List.of(
            OptionDefinition.required(BUCKET_PREFIX, OptionType.STRING,
                    "The s3://bucket or s3://bucket/prefix this connection serves and writes under."),
            OptionDefinition.optional(REGION, OptionType.STRING, null,
                    "AWS region of the bucket; default: the SDK's chain. Required with endpoint-override."),
            OptionDefinition.optional(ENDPOINT_OVERRIDE, OptionType.URL, null,
                    "S3 endpoint instead of AWS's (MinIO, Ceph, S3Proxy, VPC endpoints)."),
            OptionDefinition.optional(PATH_STYLE, OptionType.BOOLEAN, "false",
                    "Address buckets as http://host/bucket instead of http://bucket.host (most S3-compatible servers)."),
            OptionDefinition.optional(ACCESS_KEY_ID, OptionType.STRING, null,
                    "Access key id; with secret-access-key. Default: the SDK's credential chain.").asSecret(),
            OptionDefinition.optional(SECRET_ACCESS_KEY, OptionType.STRING, null, "Secret access key.").asSecret(),
            OptionDefinition.optional(SESSION_TOKEN, OptionType.STRING, null,
                    "Session token of temporary credentials; needs access-key-id.").asSecret(),
            OptionDefinition.optional(PART_SIZE_MB, OptionType.INTEGER, "8",
                    "Objects larger than this many MiB are uploaded in parts of this size (at least "
                            + MIN_PART_SIZE_MB + ")."),
            OptionDefinition.optional(PARTS_IN_FLIGHT, OptionType.INTEGER, "2",
                    "Parts of one multipart upload sent at once while the next is read (1-16); a write holds up to "
                            + "(parts-in-flight + 1) × part-size-mb in memory."),
            OptionDefinition.optional(CONTENT_MD5, OptionType.BOOLEAN, "false",
                    "Send Content-MD5 with every upload request, as buckets with Object Lock retention require; "
                            + "costs one more pass over the bytes. The SHA-256 check does not need it."),
            OptionDefinition.optional(SINGLE_PUT_MAX_MB, OptionType.INTEGER, String.valueOf(MAX_SINGLE_PUT_MB),
                    "Content whose size and SHA-256 are known before the write, from one part up to this many MiB, "
                            + "streams as one PutObject with x-amz-checksum-sha256 instead of a multipart upload "
                            + "(0-" + MAX_SINGLE_PUT_MB + "; 0: always multipart)."),
            OptionDefinition.optional(MAX_ATTEMPTS, OptionType.INTEGER, "3",
                    "Attempts per request by the SDK's standard retry before the hub's own retry."),
            OptionDefinition.optional(REQUEST_TIMEOUT, OptionType.DURATION, "60s", "Timeout of one request."));

    private S3Options() {
    }

    /** The option checks plus the rules that span options. Never quotes a secret. */
    static List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Options.validate(DEFINITIONS, config));
        config.string(BUCKET_PREFIX).filter(prefix -> !BUCKET_URI.matcher(prefix.trim()).matches())
                .ifPresent(prefix -> problems.add(new ConfigProblem(config.optionPath(BUCKET_PREFIX),
                        "must be s3://bucket or s3://bucket/prefix with a valid bucket name, was \"" + prefix + "\"")));
        boolean keyId = config.string(ACCESS_KEY_ID).isPresent();
        boolean secretKey = config.string(SECRET_ACCESS_KEY).isPresent();
        if (keyId != secretKey) {
            problems.add(new ConfigProblem(config.optionPath(keyId ? SECRET_ACCESS_KEY : ACCESS_KEY_ID),
                    "is required when " + (keyId ? ACCESS_KEY_ID : SECRET_ACCESS_KEY) + " is set"));
        }
        if (config.string(SESSION_TOKEN).isPresent() && !keyId) {
            problems.add(new ConfigProblem(config.optionPath(ACCESS_KEY_ID), "is required when session-token is set"));
        }
        if (config.string(ENDPOINT_OVERRIDE).isPresent() && config.string(REGION).isEmpty()) {
            problems.add(new ConfigProblem(config.optionPath(REGION),
                    "is required with endpoint-override: the SDK signs requests for a region"));
        }
        config.string(PART_SIZE_MB).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(v -> v < MIN_PART_SIZE_MB || v > 5 * 1024)
                .ifPresent(v -> problems.add(new ConfigProblem(config.optionPath(PART_SIZE_MB),
                        "must be between " + MIN_PART_SIZE_MB + " and 5120 (S3's part limits), was " + v)));
        config.string(PARTS_IN_FLIGHT).filter(v -> v.trim().matches("-?\\d{1,9}")).map(v -> Integer.parseInt(v.trim()))
                .filter(v -> v < 1 || v > MAX_PARTS_IN_FLIGHT)
                .ifPresent(v -> problems.add(new ConfigProblem(config.optionPath(PARTS_IN_FLIGHT),
                        "must be between 1 and " + MAX_PARTS_IN_FLIGHT + ", was " + v)));
        config.string(SINGLE_PUT_MAX_MB).filter(v -> v.trim().matches("-?\\d{1,9}"))
                .map(v -> Integer.parseInt(v.trim())).filter(v -> v < 0 || v > MAX_SINGLE_PUT_MB)
                .ifPresent(v -> problems.add(new ConfigProblem(config.optionPath(SINGLE_PUT_MAX_MB),
                        "must be between 0 and " + MAX_SINGLE_PUT_MB + " (S3's limit for one PUT), was " + v)));
        return problems;
    }

    /**
     * What a connection needs, parsed once from a validated configuration with defaults applied.
     *
     * @param prefix       the key prefix served, without a leading slash, empty for the whole bucket
     * @param singlePutMax the largest content in bytes that streams as one checked PutObject, 0 for none
     */
    record Settings(String connection, String bucket, String prefix, Optional<String> region,
                    Optional<URI> endpointOverride, boolean pathStyle, Optional<String> accessKeyId,
                    Optional<String> secretAccessKey, Optional<String> sessionToken, int partSize, int partsInFlight,
                    boolean contentMd5, long singlePutMax, int maxAttempts, Duration requestTimeout) {

        static Settings of(ConnectionConfig raw) {
            ConnectionConfig config = raw.withDefaults(Options.defaults(DEFINITIONS));
            Matcher uri = BUCKET_URI.matcher(config.require(BUCKET_PREFIX).trim());
            if (!uri.matches()) {
                throw new IllegalArgumentException("bucket-prefix was validated");
            }
            String prefix = uri.group(2) == null ? "" : uri.group(2).substring(1);
            return new Settings(config.name(), uri.group(1), prefix, config.string(REGION),
                    config.url(ENDPOINT_OVERRIDE), config.bool(PATH_STYLE).orElse(false), config.string(ACCESS_KEY_ID),
                    config.string(SECRET_ACCESS_KEY), config.string(SESSION_TOKEN),
                    config.integer(PART_SIZE_MB).orElseThrow() * 1024 * 1024,
                    config.integer(PARTS_IN_FLIGHT).orElseThrow(), config.bool(CONTENT_MD5).orElse(false),
                    config.integer(SINGLE_PUT_MAX_MB).orElseThrow() * 1024L * 1024L,
                    config.integer(MAX_ATTEMPTS).orElseThrow(),
                    config.duration(REQUEST_TIMEOUT).orElseThrow());
        }

        @Override
        public String toString() {
            return "Settings[connection=" + connection + ", bucket=" + bucket + ", prefix=" + prefix + ", endpoint="
                    + endpointOverride.map(URI::toString).orElse("(AWS)") + "]";
        }
    }
}
