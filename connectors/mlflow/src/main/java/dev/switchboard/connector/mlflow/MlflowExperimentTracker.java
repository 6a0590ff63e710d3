package dev.switchboard.connector.mlflow;

import static dev.switchboard.connector.mlflow.internal.MlflowClient.body;
import static dev.switchboard.connector.mlflow.internal.MlflowClient.query;

import dev.switchboard.connector.mlflow.internal.MlflowClient;
import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.model.Experiment;
import dev.switchboard.model.Run;
import dev.switchboard.spi.ExperimentTracker;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** MLflow experiments and runs. {@code runs/search} is POST-only in MLflow, unlike the registry searches. */
public final class MlflowExperimentTracker implements ExperimentTracker {

    /** MLflow's handler rejects {@code max_results} above this for run searches. */
    static final int MAX_RUN_PAGE = 50_000;

    private final MlflowClient client;
    private final MlflowMapper mapper;

    MlflowExperimentTracker(MlflowClient client, MlflowMapper mapper) {
        this.client = client;
        this.mapper = mapper;
    }

    @Override
    public Optional<Experiment> getExperiment(String experimentId) {
        return MlflowModelRegistry.ifExists(() -> mapper.toCanonical(client.field(client.get("experiments/get",
                query("experiment_id", experimentId)), "experiment", MlflowDtos.Experiment.class)));
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return MlflowModelRegistry.ifExists(() -> mapper.toCanonical(client.field(client.get("runs/get",
                query("run_id", runId)), "run", MlflowDtos.Run.class)));
    }

    @Override
    public Page<Run> searchRuns(List<String> experimentIds, Instant since, PageRequest page) {
        MlflowDtos.SearchPage<MlflowDtos.Run> result = client.page(client.post("runs/search", body(
                "experiment_ids", experimentIds,
                "filter", since == null ? null : "attributes.start_time >= " + since.toEpochMilli(),
                "max_results", Math.min(page.pageSize(), MAX_RUN_PAGE),
                "order_by", List.of("attributes.start_time ASC"),
                "page_token", page.pageToken())), "runs", MlflowDtos.Run.class);
        return new Page<>(result.items().stream().map(mapper::toCanonical).toList(), result.nextPageToken());
    }
}
