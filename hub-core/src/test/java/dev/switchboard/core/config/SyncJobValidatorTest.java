package dev.switchboard.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.Stage;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Fidelity;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyncJobValidatorTest {

    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.of(List.of(new InMemoryRegistryConnector(),
            new RecordingConnector(), InMemoryRegistryConnector.withFidelity("sagemaker-like",
                    InMemoryRegistryConnector.SAGEMAKER_LIKE), InMemoryRegistryConnector.withFidelity("kubeflow-like",
                    new Fidelity(EnumSet.of(Fidelity.Field.STAGE, Fidelity.Field.TAGS), Integer.MAX_VALUE,
                            Integer.MAX_VALUE, "archiving only", Fidelity.TagRule.ANY,
                            EnumSet.of(Stage.NONE, Stage.ARCHIVED)))));

    private static final Map<String, HubConfig.ConnectionSpec> CONNECTIONS = Map.of(
            "mlflow", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE, Map.of()),
            "sagemaker", new HubConfig.ConnectionSpec("sagemaker-like", Map.of()),
            "kubeflow", new HubConfig.ConnectionSpec("kubeflow-like", Map.of()),
            "deploy", new HubConfig.ConnectionSpec(RecordingConnector.TYPE, Map.of("url", "https://ci.example.com")));

    @Test
    void aValidJobHasNoProblems() {
        SyncJobSpec job = SyncJobSpec.of("to-sagemaker", "mlflow", "sagemaker")
                .withSelection(SyncJobSpec.Selection.models("churn-*", "fraud-v?", "[a-c]*"))
                .withMapping(new SyncJobSpec.FieldMapping(Map.of("champion", ApprovalStatus.APPROVED), null, null,
                        null, Map.of("owner", "team")))
                .withArtifacts(SyncJobSpec.ArtifactPolicy.copyTo(URI.create("mem://sagemaker/models")))
                .withTrigger(new SyncJobSpec.Trigger(Duration.ofMinutes(5), Set.of("model_version.alias_set")));

        assertThat(validate(job)).isEmpty();
    }

    @Test
    void everyProblemOfABadJobIsReportedWithItsPath() {
        SyncJobSpec job = new SyncJobSpec("Bad_Job", "nope", "deploy",
                new SyncJobSpec.Selection(List.of("ok-*", "broken[", ""), null, null, null),
                new SyncJobSpec.FieldMapping(null, null, Map.of(ApprovalStatus.APPROVED, Stage.PRODUCTION), null,
                        Map.of("owner", "switchboard.owner")),
                new SyncJobSpec.ArtifactPolicy(SyncJobSpec.ArtifactPolicy.Mode.COPY, null),
                new SyncJobSpec.Trigger(Duration.ZERO, Set.of("no.such")), -1);

        assertThat(validate(job)).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "sync-jobs.Bad_Job: sync job names must be lower-case letters, digits and dashes (at most 64), was \"Bad_Job\"",
                "sync-jobs.Bad_Job.source: unknown connection \"nope\"; configured: deploy, kubeflow, mlflow, sagemaker",
                "sync-jobs.Bad_Job.target: connection \"deploy\" (type recording) has no model registry; a sync job "
                        + "needs one on both sides",
                "sync-jobs.Bad_Job.page-size: must be at least 1, was -1",
                "sync-jobs.Bad_Job.selection.models[1]: has an unclosed [ at position 6 in \"broken[\"",
                "sync-jobs.Bad_Job.selection.models[2]: must not be blank",
                "sync-jobs.Bad_Job.mapping.tag-renames.owner: must not rename to \"switchboard.owner\": tags starting "
                        + "with switchboard. are reserved for the hub",
                "sync-jobs.Bad_Job.artifacts.copy-to: is required with mode copy: the URI prefix of the store to copy "
                        + "artifacts to",
                "sync-jobs.Bad_Job.trigger.interval: must be at least 1s, was PT0S",
                "sync-jobs.Bad_Job.trigger.events: unknown event type \"no.such\"; known types: "
                        + String.join(", ", java.util.Arrays.stream(dev.switchboard.model.EventType.values())
                        .map(dev.switchboard.model.EventType::typeName).sorted().toList()));
    }

    @Test
    void mappingsTheTargetCannotHoldAndASameSourceAndTargetAreReported() {
        SyncJobSpec job = SyncJobSpec.of("loop", "sagemaker", "sagemaker")
                .withMapping(new SyncJobSpec.FieldMapping(null, null, Map.of(ApprovalStatus.APPROVED, Stage.PRODUCTION),
                        null, null));

        assertThat(validate(job)).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "sync-jobs.loop.target: must differ from the source, was \"sagemaker\" for both",
                "sync-jobs.loop.mapping.approval-stage: maps to a stage, but target \"sagemaker\" cannot hold stages");
    }

    @Test
    void aStageTheTargetDoesNotHoldIsReportedAndOneItHoldsIsNot() {
        SyncJobSpec job = SyncJobSpec.of("to-kubeflow", "mlflow", "kubeflow")
                .withMapping(new SyncJobSpec.FieldMapping(null, null, Map.of(ApprovalStatus.APPROVED, Stage.PRODUCTION,
                        ApprovalStatus.REJECTED, Stage.ARCHIVED), null, null));

        assertThat(validate(job)).extracting(ConfigProblem::toString).containsExactly(
                "sync-jobs.to-kubeflow.mapping.approval-stage.APPROVED: maps to stage PRODUCTION, but target "
                        + "\"kubeflow\" holds only [NONE, ARCHIVED]");
    }

    @Test
    void theConfigValidatorIncludesSyncJobProblems() {
        HubConfig config = new HubConfig(CONNECTIONS, null, null,
                Map.of("loop", SyncJobSpec.of("loop", "mlflow", "mlflow")));

        assertThat(new ConfigValidator(CONNECTORS).validate(config)).extracting(ConfigProblem::path)
                .containsExactly("sync-jobs.loop.target");
    }

    private static List<ConfigProblem> validate(SyncJobSpec job) {
        return new SyncJobValidator(CONNECTORS).validate(new HubConfig(CONNECTIONS, null, null, Map.of(job.name(), job)));
    }
}
