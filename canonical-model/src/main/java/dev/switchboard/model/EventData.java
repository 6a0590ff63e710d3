package dev.switchboard.model;

/**
 * The payload of a canonical event. Each {@link EventType} names exactly one permitted payload type, so a
 * route can rely on {@code ${body.data.alias}} being there for {@code model_version.alias_set}.
 */
public sealed interface EventData permits RegisteredModel, ModelVersion, AliasChange, TagChange, StageChange,
        ApprovalChange, Run, PipelineRun, CiRun, DataVersion, SyncCompleted {
}
