package dev.switchboard.connector.github;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import dev.switchboard.spi.WebhookSignatures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies and translates GitHub webhooks: {@code X-Hub-Signature-256} ({@code sha256=} and the hex HMAC-SHA256
 * of the raw body, compared in constant time; the SHA-1 {@code X-Hub-Signature} is ignored), then
 * {@code workflow_run} and {@code workflow_job} deliveries into {@code ci_run.started} (the run's {@code status} is
 * {@code requested}, {@code queued}, {@code waiting}, {@code pending} or {@code in_progress}) and
 * {@code ci_run.finished} ({@code completed}). The type follows the run's {@code status} (the {@code action} when the
 * payload has no status), so it always agrees with the status the event carries. A {@code ping} is acknowledged with
 * no event, and every other verified event (with or without {@code repository}: organisation, app and enterprise
 * events have none) is {@link Reason#UNSUPPORTED}, which the hub acknowledges as ignored. Run and job ids must be
 * positive JSON integers: GitHub sends nothing else, and {@code 1.5} must not be stored as run {@code 1}. The canonical id is {@code X-GitHub-Delivery}, which GitHub keeps on
 * redelivery, so the inbox stores a redelivered event once. GitHub sends no timestamp header, so there is no
 * replay window beyond that de-duplication.
 */
final class GitHubWebhooks {

    static final String SIGNATURE = "X-Hub-Signature-256";
    static final String EVENT = "X-GitHub-Event";
    static final String DELIVERY = "X-GitHub-Delivery";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String connection;
    private final Optional<String> secret;
    private final Clock clock;
    private final GitHubMapper mapper;
    private final GitHubRuns runs;
    private final URI source;

    GitHubWebhooks(String connection, Optional<String> secret, Clock clock, GitHubMapper mapper, GitHubRuns runs) {
        this.connection = connection;
        this.secret = secret;
        this.clock = clock;
        this.mapper = mapper;
        this.runs = runs;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    List<CanonicalEvent> receive(WebhookRequest request) {
        String key = secret.orElseThrow(() -> new WebhookRejectedException(Reason.BAD_SIGNATURE,
                "connection " + connection + " has no webhook-secret; set it to the secret of the GitHub webhook"));
        String signature = request.header(SIGNATURE).orElseThrow(() -> new WebhookRejectedException(
                Reason.BAD_SIGNATURE, "missing " + SIGNATURE + " header (set a secret on the GitHub webhook)"));
        if (!signature.startsWith("sha256=")) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, SIGNATURE + " is not of the form sha256=<hex>");
        }
        byte[] expected = ("sha256=" + HexFormat.of().formatHex(hmac(key, request.body())))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new WebhookRejectedException(Reason.BAD_SIGNATURE, SIGNATURE
                    + " does not match the body: wrong secret, or the body was changed on the way");
        }
        String event = request.header(EVENT).orElseThrow(() ->
                new WebhookRejectedException(Reason.MALFORMED, "missing " + EVENT + " header"));
        if (event.equals("ping")) {
            return List.of();
        }
        String delivery = request.header(DELIVERY).filter(d -> !d.isBlank()).orElseThrow(() ->
                new WebhookRejectedException(Reason.MALFORMED, "missing " + DELIVERY + " header"));
        if (!event.equals("workflow_run") && !event.equals("workflow_job")) {
            // Decided before the payload is read: events without a repository are acknowledged like the rest.
            throw new WebhookRejectedException(Reason.UNSUPPORTED, "GitHub event " + event
                    + " has no canonical event type; subscribe the webhook to workflow runs and jobs only");
        }
        JsonNode payload = parse(request.body());
        String action = payload.path("action").asString("");
        String repository = require(payload.path("repository"), "repository.full_name", "full_name");
        CiRun run;
        String subject;
        if (event.equals("workflow_run")) {
            JsonNode workflowRun = object(payload, "workflow_run");
            long id = positiveInteger(workflowRun, "workflow_run.id", "id");
            run = mapper.run(repository, id, statusOrAction(workflowRun, action), workflowRun,
                    runs.inputs(repository + "/" + id));
            subject = "repos/" + repository + "/actions/runs/" + id;
        } else {
            JsonNode job = object(payload, "workflow_job");
            long id = positiveInteger(job, "workflow_job.id", "id");
            long runId = positiveInteger(job, "workflow_job.run_id", "run_id");
            run = mapper.job(repository, id, statusOrAction(job, action), job, runs.inputs(repository + "/" + runId));
            subject = "repos/" + repository + "/actions/jobs/" + id;
        }
        EventType type = run.status().isTerminal() ? EventType.CI_RUN_FINISHED : EventType.CI_RUN_STARTED;
        Instant time = run.endTime() != null ? run.endTime() : run.startTime() != null ? run.startTime() : clock.instant();
        return List.of(new CanonicalEvent("github-" + delivery, source, type, subject, time, run));
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

    private static JsonNode object(JsonNode payload, String field) {
        JsonNode node = payload.get(field);
        if (node == null || !node.isObject()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook payload lacks " + field);
        }
        return node;
    }

    /** The run's {@code status}; a payload without one (older servers) is taken to be in the state its action names. */
    private static String statusOrAction(JsonNode run, String action) {
        String status = run.path("status").asString(null);
        return status != null && !status.isBlank() ? status : action.isBlank() ? "queued" : action;
    }

    /** An id GitHub sends as a JSON integer; {@code 1.5}, {@code "1"}, {@code 0} or one beyond a long are refused. */
    private static long positiveInteger(JsonNode node, String path, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook payload lacks " + path);
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
            String shown = value.isValueNode() ? value.asString() : value.getNodeType().toString();
            throw new WebhookRejectedException(Reason.MALFORMED, path + " must be a positive integer, but was "
                    + (shown.length() <= 40 ? shown : shown.substring(0, 40) + "…"));
        }
        return value.longValue();
    }

    private static String require(JsonNode node, String path, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asString().isBlank()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "webhook payload lacks " + path);
        }
        return value.asString();
    }

    static byte[] hmac(String key, byte[] body) {
        return WebhookSignatures.hmacSha256(key, body);
    }
}
