package dev.switchboard.model;

import java.time.Instant;
import java.util.Map;

/**
 * A run of a CI workflow (GitHub Actions workflow run, GitLab pipeline, Jenkins build), in the vocabulary
 * of CDEvents' pipelineRun.
 *
 * @param ref         where the run lives; {@code url} points at the run's page
 * @param pipeline    the workflow or pipeline name ({@code deploy.yml})
 * @param repository  the repository it ran for ({@code org/repo}), or {@code null}
 * @param gitRef      the branch or tag it ran on, or {@code null}
 * @param commitSha   the commit it ran on, or {@code null}
 * @param status      the run's state; terminal values carry the outcome
 * @param startTime   when it started, or {@code null}
 * @param endTime     when it ended, or {@code null} while running
 * @param inputs      the inputs it was dispatched with (for a deploy: the model name and version)
 */
public record CiRun(
        ResourceRef ref,
        String pipeline,
        String repository,
        String gitRef,
        String commitSha,
        RunStatus status,
        Instant startTime,
        Instant endTime,
        Map<String, String> inputs) implements EventData {

    public CiRun {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("pipeline", pipeline);
        Checks.text("repository", repository);
        Checks.text("gitRef", gitRef);
        Checks.text("commitSha", commitSha);
        Checks.requireNonNull("status", status);
        Checks.time("startTime", startTime);
        Checks.time("endTime", endTime);
        inputs = Checks.copyOf("inputs", inputs);
    }
}
