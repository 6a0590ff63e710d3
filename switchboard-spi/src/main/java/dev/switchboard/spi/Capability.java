package dev.switchboard.spi;

/** The capability ports a connector may offer; each maps to one optional accessor of {@link Connection}. */
public enum Capability {
    /** {@link ModelRegistry}: registered models and versions, aliases, stages, approval, tags. */
    MODEL_REGISTRY,
    /** {@link ArtifactStore}: stat, read and write artifacts by URI, with digests. */
    ARTIFACT_STORE,
    /** {@link EventSource}: webhooks in, and polling for what webhooks missed. */
    EVENT_SOURCE,
    /** {@link ActionTarget}: named operations routes can perform ({@code dispatch-workflow}). */
    ACTION_TARGET,
    /** {@link ExperimentTracker}: experiments, runs, params, metrics, lineage. */
    EXPERIMENT_TRACKER
}
