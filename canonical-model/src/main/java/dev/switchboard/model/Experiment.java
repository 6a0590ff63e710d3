package dev.switchboard.model;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * A group of runs in an experiment tracker.
 *
 * @param ref              where the experiment lives
 * @param name             the experiment's name
 * @param artifactLocation the root under which its runs store artifacts, or {@code null}
 * @param tags             free-form tags
 * @param createdAt        creation time, or {@code null}
 * @param updatedAt        last update time, or {@code null}
 */
public record Experiment(
        ResourceRef ref, String name, URI artifactLocation, Map<String, String> tags,
        Instant createdAt, Instant updatedAt) {

    public Experiment {
        Checks.requireNonNull("ref", ref);
        Checks.requireText("name", name);
        tags = Checks.copyOf("tags", tags);
        Checks.time("createdAt", createdAt);
        Checks.time("updatedAt", updatedAt);
    }
}
