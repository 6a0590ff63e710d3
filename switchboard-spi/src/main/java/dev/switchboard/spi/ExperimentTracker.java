package dev.switchboard.spi;

import dev.switchboard.model.Experiment;
import dev.switchboard.model.Run;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An experiment tracker: experiments and runs with their params, metrics and tags, so a model version can carry
 * its source run's lineage into the canonical model.
 */
public interface ExperimentTracker {

    Optional<Experiment> getExperiment(String experimentId);

    Optional<Run> getRun(String runId);

    /**
     * Lists runs of the given experiments that started at or after {@code since} (all when {@code null}), one
     * page at a time.
     */
    Page<Run> searchRuns(List<String> experimentIds, Instant since, PageRequest page);
}
