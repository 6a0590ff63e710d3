package dev.switchboard.connector.dvc;

import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies push webhooks from the Git host and reads what was pushed:
 * <ul>
 *   <li>GitHub ({@code X-GitHub-Event: push}): {@code X-Hub-Signature-256} is {@code sha256=} and the hex
 *       HMAC-SHA256 of the raw body with the secret, compared in constant time; {@code ping} carries nothing.</li>
 *   <li>GitLab ({@code X-Gitlab-Event: Push Hook}): {@code X-Gitlab-Token} is the secret itself, compared in
 *       constant time (over SHA-256 digests, so the comparison takes the same time whatever the lengths).</li>
 * </ul>
 * A verified push of another repository or branch, a branch deletion, or another event kind is
 * {@link Reason#UNSUPPORTED}: acknowledged and ignored, because a sender told 4xx would retry it forever.
 */
final class DvcWebhooks {

    static final String GITHUB_SIGNATURE = "X-Hub-Signature-256";
    static final String GITHUB_EVENT = "X-GitHub-Event";
    static final String GITLAB_TOKEN = "X-Gitlab-Token";
    static final String GITLAB_EVENT = "X-Gitlab-Event";
    static final String ZERO = "0000000000000000000000000000000000000000";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String connection;
    private final Optional<String> secret;
    private final String branch;
    private final Optional<String> repositoryName;
    private final String repositoryUrl;

    DvcWebhooks(DvcOptions.Settings settings) {
        this.connection = settings.connection();
        this.secret = settings.webhookSecret();
        this.branch = settings.branch();
        this.repositoryName = settings.webhookRepository();
        this.repositoryUrl = settings.repository();
    }

    /**
     * A verified push to the configured repository and branch.
     *
     * @param before the branch's commit before the push, or {@code null} when the push created the branch
     * @param after  the branch's commit after it
     */
    record Push(String before, String after) {
    }

    /** The push this webhook reports, or empty for a {@code ping}. */
    Optional<Push> verify(WebhookRequest request) {
        String key = secret.orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE, "connection "
                + connection + " has no webhook-secret; set it to the secret of the push webhook"));
        if (request.header(GITHUB_EVENT).isPresent()) {
            verifyGitHub(request, key);
            String event = request.header(GITHUB_EVENT).get();
            if (event.equals("ping")) {
                return Optional.empty();
            }
            if (!event.equals("push")) {
                throw new WebhookRejectedException(Reason.UNSUPPORTED, "GitHub event " + event
                        + " is not a push; subscribe the webhook to pushes only");
            }
            JsonNode payload = parse(request.body());
            JsonNode repository = payload.path("repository");
            checkRepository(text(repository, "full_name"), text(repository, "clone_url"), text(repository, "ssh_url"),
                    text(repository, "html_url"));
            return push(payload);
        }
        if (request.header(GITLAB_EVENT).isPresent()) {
            verifyGitLab(request, key);
            String event = request.header(GITLAB_EVENT).get();
            if (!event.equals("Push Hook")) {
                throw new WebhookRejectedException(Reason.UNSUPPORTED, "GitLab event " + event
                        + " is not a Push Hook; enable push events only");
            }
            JsonNode payload = parse(request.body());
            JsonNode project = payload.path("project");
            checkRepository(text(project, "path_with_namespace"), text(project, "git_http_url"),
                    text(project, "git_ssh_url"), text(project, "web_url"));
            return push(payload);
        }
        throw new WebhookRejectedException(Reason.BAD_SIGNATURE, "missing " + GITHUB_SIGNATURE + " (GitHub) or "
                + GITLAB_TOKEN + " (GitLab): neither " + GITHUB_EVENT + " nor " + GITLAB_EVENT + " is set");
    }

    private static void verifyGitHub(WebhookRequest request, String key) {
        String signature = request.header(GITHUB_SIGNATURE).orElseThrow(() -> new WebhookRejectedException(
                Reason.BAD_SIGNATURE, "missing " + GITHUB_SIGNATURE + " header (set a secret on the GitHub webhook)"));
        if (!signature.startsWith("sha256=")) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, GITHUB_SIGNATURE + " is not of the form sha256=<hex>");
        }
        byte[] expected = ("sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(key, request.body())))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, GITHUB_SIGNATURE
                    + " does not match the body: wrong secret, or the body was changed on the way");
        }
    }

    private static void verifyGitLab(WebhookRequest request, String key) {
        String token = request.header(GITLAB_TOKEN).orElseThrow(() -> new WebhookRejectedException(
                Reason.BAD_SIGNATURE, "missing " + GITLAB_TOKEN + " header (set a secret token on the GitLab webhook)"));
        if (!MessageDigest.isEqual(sha256(token), sha256(key))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, GITLAB_TOKEN + " is not the webhook-secret");
        }
    }

    private Optional<Push> push(JsonNode payload) {
        String ref = text(payload, "ref");
        String after = text(payload, "after");
        String before = text(payload, "before");
        if (ref == null || after == null || before == null) {
            throw new WebhookRejectedException(Reason.MALFORMED, "push payload lacks ref, before or after");
        }
        if (!ref.equals("refs/heads/" + branch)) {
            throw new WebhookRejectedException(Reason.UNSUPPORTED, "push to " + ref + " ignored: connection "
                    + connection + " watches refs/heads/" + branch);
        }
        if (!after.matches("[0-9a-f]{40}") || !before.matches("[0-9a-f]{40}")) {
            throw new WebhookRejectedException(Reason.MALFORMED, "push before and after must be 40-digit commit ids");
        }
        if (after.equals(ZERO)) {
            throw new WebhookRejectedException(Reason.UNSUPPORTED, "push deleted " + ref + "; no data version to report");
        }
        return Optional.of(new Push(before.equals(ZERO) ? null : before, after));
    }

    private void checkRepository(String fullName, String... urls) {
        if (repositoryName.isPresent()) {
            if (!repositoryName.get().equalsIgnoreCase(fullName == null ? "" : fullName)) {
                throw new WebhookRejectedException(Reason.UNSUPPORTED, "push to " + fullName + " ignored: connection "
                        + connection + " watches " + repositoryName.get());
            }
            return;
        }
        String configured = normalizeUrl(repositoryUrl);
        for (String url : urls) {
            if (url != null && normalizeUrl(url).equals(configured)) {
                return;
            }
        }
        throw new WebhookRejectedException(Reason.UNSUPPORTED, "push to " + fullName + " ignored: it is not "
                + "repository " + repositoryUrl + " (set webhook-repository to accept it by name)");
    }

    /** {@code https://GitHub.com/acme/data.git/} and {@code https://github.com/acme/data} are one repository. */
    static String normalizeUrl(String url) {
        String normalized = url.trim().replaceAll("/+$", "");
        normalized = normalized.endsWith(".git") ? normalized.substring(0, normalized.length() - 4) : normalized;
        return normalized.toLowerCase(Locale.ROOT);
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new WebhookRejectedException(Reason.MALFORMED, "webhook body is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isString() || value.asString().isBlank() ? null : value.asString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
