package dev.switchboard.connector.kubeflow.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.PollingEventSourceSuite;
import dev.switchboard.conformance.fakes.kubeflow.KfpFake;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.Fidelity;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubeflow Pipelines connector through the suites it claims (config, polling, actions) against the kit's KFP
 * fake, with a bearer token required and page size 3, plus the connector's own behaviour: terminal states only,
 * PAUSED is not terminal, the run's lineage in the event, and a retried run-pipeline starts one run.
 */
class KfpConformanceTest extends ConnectorHarness implements ConfigSuite, PollingEventSourceSuite, ActionTargetSuite {

    @Fake
    static final KfpFake KFP = new KfpFake();

    static final String TOKEN = "kfp-sa-token";
    private String pipelineId;
    private String versionId;
    private String experimentId;

    @BeforeEach
    void seed() {
        List<String> pipeline = KFP.addPipeline("train-churn");
        pipelineId = pipeline.get(0);
        versionId = pipeline.get(1);
        experimentId = KFP.addExperiment("churn");
        KFP.requireBearer(TOKEN);
    }

    @Override
    public Connector connector() {
        return new KfpConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.ACTION_TARGET, Capability.EVENT_SOURCE);
    }

    @Override
    public Fidelity declaredFidelity() {
        return Fidelity.none();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig("kfp-kit", KfpConnector.TYPE, Map.of("url", KFP.baseUrl().toString(),
                "token", TOKEN, "page-size", "3", "experiment-id", experimentId));
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(kfp(Map.of("url", "http://ml-pipeline.kubeflow:8888")),
                kfp(Map.of("url", "https://kubeflow.example.com/pipeline/", "token", "t-secret", "namespace", "team-a",
                        "experiment-id", "e-1", "request-timeout", "5s", "page-size", "200")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("no URL", kfp(Map.of())).expect("url", "required"),
                BadConfig.of("page size above KFP's cap", kfp(Map.of("url", "http://k", "page-size", "500")))
                        .expect("page-size", "between 1 and 200"),
                BadConfig.of("several at once", kfp(Map.of("url", "http://k/apis/v2beta1", "token", "tok-SECRET",
                                "request-timeout", "soon", "namespce", "x")))
                        .expect("url", "without /apis/v2beta1")
                        .expect("request-timeout", "duration")
                        .expect("namespce", "not an option"));
    }

    private static ConnectionConfig kfp(Map<String, String> options) {
        return new ConnectionConfig("kfp-prod", KfpConnector.TYPE, new HashMap<>(options));
    }

    @Override
    public String makeChange() {
        String runId = KFP.createRun(pipelineId, "polled", Map.of("epochs", 3));
        KFP.finishRun(runId, "SUCCEEDED");
        return "pipeline-runs/" + runId;
    }

    @Override
    public ActionTarget.Request sampleAction() {
        CanonicalEvent event = new CanonicalEvent(UUID.randomUUID().toString(), CanonicalEvent.sourceOf("mlflow-prod"),
                EventType.PIPELINE_RUN_FINISHED, "pipeline-runs/upstream", Instant.now(),
                new PipelineRun(dev.switchboard.model.ResourceRef.of("x", "x", "pipeline_run", "upstream"), "prep",
                        null, RunStatus.SUCCEEDED, null, null, Map.of()));
        return new ActionTarget.Request(KfpRuns.RUN_PIPELINE, Map.of("pipeline-id", pipelineId,
                "pipeline-version-id", versionId, "display-name", "retrain", "param.epochs", "20",
                "param.lr", "0.01", "param.dataset", "s3://data/churn.csv", "param.full", "true"), event,
                "key-" + UUID.randomUUID());
    }

    // ---------------------------------------------------------------- the connector's own behaviour

    @Test
    void runPipelineCreatesOneRunWithParametersInTheExperimentAndRecordsTheKey() {
        ActionTarget target = connection().actionTarget().orElseThrow();
        ActionTarget.Request request = sampleAction();
        ActionTarget.Result first = target.perform(request);
        connection().close();
        ActionTarget.Result retried = reopenConnection().actionTarget().orElseThrow().perform(request);
        assertThat(retried.started()).isEqualTo(first.started());
        assertThat(KFP.runs()).singleElement().satisfies(run -> {
            assertThat(run.path("experiment_id").asString()).isEqualTo(experimentId);
            assertThat(run.path("pipeline_version_reference").path("pipeline_version_id").asString()).isEqualTo(versionId);
            var parameters = run.path("runtime_config").path("parameters");
            assertThat(parameters.path("epochs").isNumber() && parameters.path("epochs").asInt() == 20).isTrue();
            assertThat(parameters.path("lr").asDouble()).isEqualTo(0.01);
            assertThat(parameters.path("dataset").asString()).isEqualTo("s3://data/churn.csv");
            assertThat(parameters.path("full").isBoolean()).isTrue();
            assertThat(run.path("description").asString()).contains("switchboard-idempotency-key: "
                    + request.idempotencyKey());
        });
        assertThat(target.status(first.started()).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
    }

    @Test
    void onlyTerminalStatesAreReportedWithLineage() {
        EventSource source = connection().eventSource().orElseThrow();
        String cursor = source.poll(null).cursor();
        String paused = KFP.createRun(pipelineId, "paused", Map.of());
        KFP.setState(paused, "PAUSED");
        String running = KFP.createRun(pipelineId, "running", Map.of());
        KFP.setState(running, "RUNNING");
        String ok = KFP.createRun(pipelineId, "ok", Map.of("epochs", 20, "dataset", "s3://d"));
        KFP.finishRun(ok, "SUCCEEDED");
        String failed = KFP.createRun(pipelineId, "failed", Map.of());
        KFP.finishRun(failed, "FAILED");
        String canceled = KFP.createRun(pipelineId, "canceled", Map.of());
        KFP.finishRun(canceled, "CANCELED");
        List<CanonicalEvent> events = source.poll(cursor).events();
        assertThat(events).extracting(CanonicalEvent::subject).containsExactly("pipeline-runs/" + ok,
                "pipeline-runs/" + failed, "pipeline-runs/" + canceled);
        assertThat(events).extracting(e -> ((PipelineRun) e.data()).status())
                .containsExactly(RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED);
        PipelineRun run = (PipelineRun) events.get(0).data();
        assertThat(run.pipelineName()).isEqualTo("train-churn");
        assertThat(run.pipelineVersion()).isEqualTo(versionId);
        assertThat(run.parameters()).containsEntry("epochs", "20").containsEntry("dataset", "s3://d");
        assertThat(run.runName()).isEqualTo("ok");
        assertThat(run.endTime()).isNotNull();
    }
}
