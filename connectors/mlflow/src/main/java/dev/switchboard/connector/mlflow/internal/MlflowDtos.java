package dev.switchboard.connector.mlflow.internal;

import java.util.List;

/**
 * MLflow's REST objects, field for field as the protos name them (snake_case on the wire, mapped by the
 * client's naming strategy). Absent fields are {@code null}: MLflow omits unset proto fields. These types never
 * leave the connector; {@code MlflowMapper} turns them into canonical records.
 */
public final class MlflowDtos {

    private MlflowDtos() {
    }

    public record Tag(String key, String value) {
    }

    /** An entry of {@code RegisteredModel.aliases}; a version's aliases are plain strings instead. */
    public record Alias(String alias, String version) {
    }

    public record RegisteredModel(String name, Long creationTimestamp, Long lastUpdatedTimestamp, String description,
                                  List<Tag> tags, List<Alias> aliases) {
    }

    /** {@code version} is a string on the wire, and stays one. */
    public record ModelVersion(String name, String version, Long creationTimestamp, Long lastUpdatedTimestamp,
                               String currentStage, String description, String source, String runId, String status,
                               List<Tag> tags, List<String> aliases, String runLink) {
    }

    public record Experiment(String experimentId, String name, String artifactLocation, String lifecycleStage,
                             Long creationTime, Long lastUpdateTime, List<Tag> tags) {
    }

    public record RunInfo(String runId, String runName, String experimentId, String status, Long startTime,
                          Long endTime, String artifactUri, String lifecycleStage) {
    }

    public record Metric(String key, Double value, Long timestamp, Long step) {
    }

    public record Param(String key, String value) {
    }

    public record RunData(List<Metric> metrics, List<Param> params, List<Tag> tags) {
    }

    public record Run(RunInfo info, RunData data) {
    }

    /** An entry of an artifact listing; {@code path} is a basename in the proxy's listing. */
    public record FileInfo(String path, Boolean isDir, Long fileSize) {
    }

    /** One page of a search: the items and the token of the next page, absent on the last. */
    public record SearchPage<T>(List<T> items, String nextPageToken) {
    }
}
