package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.connector.mlflow.MlflowConnector;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ActionTarget.Request;
import dev.switchboard.spi.ArtifactResolver;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The MLflow action {@code register-model-version} against the kit's MLflow fake: lineage tags from a Kubeflow
 * Pipelines run, the artifact's verified SHA-256, an alias, and one version however often a delivery is retried,
 * also when MLflow's answer to the create was lost.
 */
class MlflowRegisterActionTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    static final byte[] MODEL = "model bytes of run-7".getBytes(StandardCharsets.UTF_8);

    private Connection connection;
    private ActionTarget actions;

    @BeforeEach
    void open() {
        connection = open("10s");
        actions = connection.actionTarget().orElseThrow();
        MLFLOW.putArtifact("models/churn/run-7/model.joblib", MODEL);
    }

    /**
     * A connection that waits {@code timeout} for an answer. The tests' own connection is patient, so that a loaded
     * build machine cannot fail a call that should succeed; an answer is lost only on an impatient one (2 s).
     */
    private static Connection open(String timeout) {
        Connection[] self = new Connection[1];
        // mlflow-artifacts:/ URIs are served by this connection's own artifact store, as the hub would resolve them
        ArtifactResolver resolver = uri -> self[0].artifactStore().filter(store -> store.serves(uri));
        self[0] = new MlflowConnector().open(new ConnectionConfig("mlflow-prod", "mlflow", new HashMap<>(Map.of(
                "tracking-url", MLFLOW.baseUrl().toString(), "request-timeout", timeout))),
                new ConnectorContext(MLFLOW.clock(), resolver));
        return self[0];
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void pipelineRunIsRegisteredWithLineageTheVerifiedDigestAndAnAlias() throws Exception {
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(MODEL));
        ActionTarget.Result result = actions.perform(register(Map.of("sha256", sha256, "alias", "candidate",
                "tag.team", "growth"), "key-1"));

        assertThat(result.outputs()).containsEntry("model", "churn").containsEntry("version", "1")
                .containsEntry("digest", "SHA_256:" + sha256)
                .containsEntry("source", "mlflow-artifacts:/models/churn/run-7/model.joblib");
        JsonNode version = MLFLOW.call("GET", "model-versions/get", Map.of("name", "churn", "version", "1"))
                .get("model_version");
        assertThat(version.get("source").asString()).isEqualTo("mlflow-artifacts:/models/churn/run-7/model.joblib");
        assertThat(version.get("description").asString()).contains("run-7");
        assertThat(version.get("aliases")).extracting(JsonNode::asString).containsExactly("candidate");
        assertThat(tags(version)).containsEntry("kfp.run_id", "run-7").containsEntry("kfp.pipeline", "train-churn")
                .containsEntry("kfp.run_name", "nightly").containsEntry("kfp.pipeline_version_id", "pv-3")
                .containsEntry("kfp.param.epochs", "20").containsEntry("kfp.param.model_name", "churn")
                .containsEntry("team", "growth").containsEntry("switchboard.digest", "SHA_256:" + sha256)
                .containsEntry("switchboard.source-run", "kfp-prod:pipeline_run:run-7")
                .containsKey("switchboard.idempotency-key");
        assertThat(version.has("run_id")).as("a KFP run is not an MLflow run").isFalse();
        assertThat(actions.status(result.started())).map(ActionTarget.Status::status).contains(RunStatus.SUCCEEDED);
    }

    @Test
    void runIdParameterLinksAnMlflowRunOfThisServer() {
        String runId = MLFLOW.createRun("train", Map.of("lr", "0.1"), Map.of());
        actions.perform(register(Map.of("run-id", runId), "key-run"));

        JsonNode version = MLFLOW.call("GET", "model-versions/get", Map.of("name", "churn", "version", "1"))
                .get("model_version");
        assertThat(version.get("run_id").asString()).isEqualTo(runId);
        assertThat(tags(version)).containsEntry("kfp.run_id", "run-7").doesNotContainKey("switchboard.source-run");
    }

    @Test
    void retriedDeliveryAfterALostAnswerFindsTheVersionTheFirstAttemptCreated() {
        // the server creates the version, then answers after the client gave up: the hub retries with the same key
        MLFLOW.faults().slow(Duration.ZERO, 1, "model-versions/create").slow(Duration.ofSeconds(4), 1,
                "model-versions/create");
        try (Connection impatient = open("2s")) {
            ConnectorException lost = catchThrowableOfType(ConnectorException.class, () -> impatient.actionTarget()
                    .orElseThrow().perform(register(Map.of("alias", "candidate"), "key-lost")));
            assertThat(lost.kind()).isEqualTo(ErrorKind.TRANSIENT);
        }
        assertThat(MLFLOW.call("GET", "model-versions/search", Map.of("filter", "name = 'churn'"))
                .get("model_versions")).as("created, although its answer was lost").hasSize(1);

        ActionTarget.Result retried = actions.perform(register(Map.of("alias", "candidate"), "key-lost"));
        ActionTarget.Result again = actions.perform(register(Map.of("alias", "candidate"), "key-lost"));

        assertThat(retried.outputs()).containsEntry("version", "1");
        assertThat(again.started()).isEqualTo(retried.started());
        assertThat(MLFLOW.call("GET", "model-versions/search", Map.of("filter", "name = 'churn'"))
                .get("model_versions")).hasSize(1);
        assertThat(MLFLOW.call("GET", "registered-models/get", Map.of("name", "churn")).get("registered_model")
                .get("aliases").get(0).get("version").asString()).isEqualTo("1");
        assertThat(actions.perform(register(Map.of(), "key-other")).outputs()).as("another key, another version")
                .containsEntry("version", "2");
    }

    @Test
    void existingRegisteredModelGetsANewVersion() {
        MLFLOW.call("POST", "registered-models/create", Map.of("name", "churn"));
        assertThat(actions.perform(register(Map.of(), "key-2")).outputs()).containsEntry("version", "1");
    }

    @Test
    void digestMismatchRegistersNothing() {
        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> actions.perform(register(Map.of("sha256", "00".repeat(32)), "key-3")));
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("not the expected");
        assertThat(catchThrowableOfType(IllegalStateException.class, () -> MLFLOW.call("GET",
                "registered-models/get", Map.of("name", "churn")))).hasMessageContaining("RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void mlflowsOwnErrorsAreClassified() {
        ConnectorException reserved = catchThrowableOfType(ConnectorException.class,
                () -> actions.perform(register(Map.of("alias", "latest"), "key-4")));
        assertThat(reserved.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(reserved.getMessage()).contains("INVALID_PARAMETER_VALUE").contains("reserved");

        MLFLOW.faults().rateLimited(Duration.ofSeconds(3), 1, "model-versions/search");
        ConnectorException limited = catchThrowableOfType(ConnectorException.class,
                () -> actions.perform(register(Map.of(), "key-5")));
        assertThat(limited.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(3));

        ConnectorException notAUri = catchThrowableOfType(ConnectorException.class,
                () -> actions.perform(register(Map.of("artifact-uri", "s3://models/churn model"), "key-7")));
        assertThat(notAUri.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(notAUri.getMessage()).contains("\"s3://models/churn model\" is not a URI");

        ConnectorException blankModel = catchThrowableOfType(ConnectorException.class,
                () -> actions.perform(register(Map.of("model", " "), "key-6")));
        assertThat(blankModel.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(blankModel.getMessage()).contains("model");
    }

    @Test
    void describesItsParameters() {
        ActionTarget.Action register = actions.describe().get(0);
        assertThat(register.name()).isEqualTo("register-model-version");
        assertThat(register.parameter("model")).map(ActionTarget.Parameter::required).contains(true);
        assertThat(register.parameter("tag.owner")).isPresent();
        assertThat(register.parameter("alias")).isPresent();
        assertThat(register.parameter("source")).as("the URI is artifact-uri, as on the Kubeflow registry").isEmpty();
    }

    private static Request register(Map<String, String> extra, String key) {
        PipelineRun run = new PipelineRun(ResourceRef.of("kubeflow-pipelines", "kfp-prod", "pipeline_run", "run-7"),
                "train-churn", "nightly", RunStatus.SUCCEEDED, null, null,
                Map.of("model_name", "churn", "epochs", "20"), "pv-3");
        CanonicalEvent event = new CanonicalEvent(UUID.randomUUID().toString(), CanonicalEvent.sourceOf("kfp-prod"),
                EventType.PIPELINE_RUN_FINISHED, "runs/run-7", MLFLOW.clock().instant(), run);
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("model", "churn",
                "artifact-uri", "mlflow-artifacts:/models/churn/run-7/model.joblib"));
        parameters.putAll(extra);
        return new Request("register-model-version", parameters, event, key);
    }

    private static Map<String, String> tags(JsonNode version) {
        Map<String, String> tags = new HashMap<>();
        Optional.ofNullable(version.get("tags")).ifPresent(list -> list.forEach(tag ->
                tags.put(tag.get("key").asString(), tag.get("value").asString())));
        return tags;
    }
}
