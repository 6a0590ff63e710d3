package dev.switchboard.model;

/**
 * The state of a run of any kind (training run, pipeline run, CI run). The terminal values follow the
 * CDEvents pipelineRun outcomes: success, failure, error (the run could not complete), cancel.
 */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, ERRORED, CANCELLED;

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING;
    }
}
