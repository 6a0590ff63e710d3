package dev.switchboard.connector.github;

import dev.switchboard.model.CiRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Maps GitHub workflow runs and jobs to canonical {@link CiRun}s, in CDEvents' pipelineRun vocabulary: a run is
 * queued ({@code requested}, {@code queued}, {@code waiting}, {@code pending}), started ({@code in_progress}) or
 * finished ({@code completed}) with an outcome from {@code conclusion}. Fields newer servers add
 * ({@code display_title}, {@code run_started_at}) are optional.
 *
 * <p>Workflow runs carry no inputs. The inputs of runs this connection dispatched are remembered
 * ({@link GitHubRuns}); for other runs they are read from {@code key=value} words of the run's title, so a workflow
 * with {@code run-name: deploy model=${{ inputs.model }} version=${{ inputs.version }}} reports them.
 */
final class GitHubMapper {

    static final String SYSTEM = "github";
    private static final Pattern TITLE_INPUT = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_-]*)=(\\S+)");

    private final String connection;

    GitHubMapper(String connection) {
        this.connection = connection;
    }

    /** {@code owner/repo/<run id>}: a run's native id, unique across repositories. */
    ResourceRef runRef(String repository, long runId, String htmlUrl) {
        return new ResourceRef(SYSTEM, connection, "workflow_run", repository + "/" + runId, uri(htmlUrl));
    }

    ResourceRef jobRef(String repository, long jobId, String htmlUrl) {
        return new ResourceRef(SYSTEM, connection, "workflow_job", repository + "/" + jobId, uri(htmlUrl));
    }

    /** A workflow run from a webhook or the API; {@code status} is GitHub's ({@code queued}, {@code completed}, …). */
    CiRun run(String repository, long id, String status, JsonNode run, Map<String, String> knownInputs) {
        Map<String, String> inputs = knownInputs.isEmpty()
                ? titleInputs(run.path("display_title").asString(run.path("name").asString(""))) : knownInputs;
        RunStatus runStatus = status(status, run.path("conclusion").asString(null));
        Instant started = time(run, "run_started_at").or(() -> time(run, "created_at")).orElse(null);
        return new CiRun(runRef(repository, id, run.path("html_url").asString(null)),
                run.path("path").asString(run.path("name").asString("workflow")), repository,
                run.path("head_branch").asString(null), run.path("head_sha").asString(null), runStatus, started,
                runStatus.isTerminal() ? time(run, "updated_at").orElse(null) : null, inputs);
    }

    CiRun run(String repository, JsonNode run, Map<String, String> knownInputs) {
        return run(repository, run.path("id").asLong(), run.path("status").asString("queued"), run, knownInputs);
    }

    CiRun job(String repository, long id, String status, JsonNode job, Map<String, String> knownInputs) {
        RunStatus runStatus = status(status, job.path("conclusion").asString(null));
        String workflow = job.path("workflow_name").asString("workflow");
        return new CiRun(jobRef(repository, id, job.path("html_url").asString(null)),
                workflow + "/" + job.path("name").asString("job"), repository, job.path("head_branch").asString(null),
                job.path("head_sha").asString(null), runStatus, time(job, "started_at").orElse(null),
                time(job, "completed_at").orElse(null), knownInputs);
    }

    static RunStatus status(String status, String conclusion) {
        if (!"completed".equals(status)) {
            return "in_progress".equals(status) ? RunStatus.RUNNING : RunStatus.QUEUED;
        }
        if (conclusion == null) {
            return RunStatus.ERRORED;
        }
        return switch (conclusion) {
            case "success", "neutral" -> RunStatus.SUCCEEDED;
            case "failure", "timed_out", "startup_failure" -> RunStatus.FAILED;
            case "cancelled", "skipped" -> RunStatus.CANCELLED;
            default -> RunStatus.ERRORED; // action_required, stale
        };
    }

    static Map<String, String> titleInputs(String title) {
        Map<String, String> inputs = new LinkedHashMap<>();
        Matcher matcher = TITLE_INPUT.matcher(title);
        while (matcher.find()) {
            inputs.put(matcher.group(1), matcher.group(2));
        }
        return inputs;
    }

    private static Optional<Instant> time(JsonNode node, String field) {
        String text = node.path(field).asString(null);
        try {
            return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static URI uri(String text) {
        try {
            return text == null ? null : new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
