package dev.switchboard.routes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.kubeflow.KubeflowRegistryFake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.FidelityGap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.Fidelity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sync jobs between the Kubeflow Model Registry and MLflow, both ways, against the kit's stateful fakes and hub-core's
 * {@link SyncService}: versions arrive with tags and aliases in the target's own shape, the run's fidelity report
 * names what the target cannot hold, and a second full run sends no write to the target.
 *
 * <p>It lives in the routes module rather than the conformance kit's {@code sync} package because the Kubeflow
 * connectors use the kit in test scope, as external plugins do: the kit depending on them would be a cycle.
 */
class KubeflowRegistryMlflowSyncTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();
    @Fake
    static final KubeflowRegistryFake REGISTRY = new KubeflowRegistryFake();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private final List<Map.Entry<DataSource, ConnectionRegistry>> hubs = new ArrayList<>();
    private ConnectionRegistry connections;
    private SyncService sync;

    @BeforeEach
    void openHub() {
        REGISTRY.requireBearer("mr-token");
        sync = openHub(directory.resolve("hub"));
    }

    private SyncService openHub(Path database) {
        SyncJobSpec toRegistry = SyncJobSpec.of("mlflow-to-kubeflow", "mlflow-prod", "kf-registry");
        SyncJobSpec toMlflow = SyncJobSpec.of("kubeflow-to-mlflow", "kf-registry", "mlflow-prod");
        HubConfig config = new HubConfig(Map.of(
                "mlflow-prod", new HubConfig.ConnectionSpec("mlflow", Map.of("tracking-url",
                        MLFLOW.baseUrl().toString())),
                "kf-registry", new HubConfig.ConnectionSpec("kubeflow-registry", Map.of("url",
                        REGISTRY.baseUrl().toString(), "token", "mr-token", "page-size", "2"))),
                null, null, Map.of(toRegistry.name(), toRegistry, toMlflow.name(), toMlflow));
        DataSource dataSource = TestDatabases.h2(database);
        ConnectionRegistry connections = ConnectionRegistry.open(config,
                ConnectorRegistry.discover(getClass().getClassLoader()), Clock.systemUTC());
        hubs.add(Map.entry(dataSource, connections));
        if (this.connections == null) {
            this.connections = connections;
        }
        return SyncService.of(Store.open(dataSource, Clock.systemUTC()), connections, config, Clock.systemUTC());
    }

    @AfterEach
    void closeHubs() {
        hubs.forEach(hub -> {
            hub.getValue().close();
            TestDatabases.close(hub.getKey());
        });
    }

    @Test
    void mlflowVersionsArriveAsCustomPropertiesAndAReRunWritesNothing() {
        String v1 = MLFLOW.createModelVersion("churn", "s3://models/churn/v1/model.joblib");
        String v2 = MLFLOW.createModelVersion("churn", "s3://models/churn/v2/model.joblib");
        MLFLOW.call("POST", "model-versions/set-tag", Map.of("name", "churn", "version", v1,
                "key", "team", "value", "growth"));
        MLFLOW.call("POST", "model-versions/set-tag", Map.of("name", "churn", "version", v2,
                "key", "dataset", "value", "2024-06"));
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", v2));
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", "churn", "version", v2,
                "stage", "Production", "archive_existing_versions", "false"));

        SyncReport first = sync.apply("mlflow-to-kubeflow");

        assertThat(first.outcomes()).extracting(SyncOutcome::kind)
                .containsExactly(SyncOutcome.Kind.CREATED, SyncOutcome.Kind.CREATED);
        assertThat(first.outcomes()).flatExtracting(SyncOutcome::fidelity)
                .anySatisfy(gap -> {
                    assertThat(gap.field()).isEqualTo(Fidelity.Field.STAGE);
                    assertThat(gap.detail()).contains("PRODUCTION");
                });
        assertThat(REGISTRY.models()).singleElement()
                .satisfies(model -> assertThat(model.path("name").asString()).isEqualTo("churn"));
        assertThat(REGISTRY.versions()).hasSize(2);
        JsonNode withTeam = versionWithProperty("team");
        JsonNode withDataset = versionWithProperty("dataset");
        assertThat(withTeam.path("customProperties").path("team").path("metadataType").asString())
                .isEqualTo("MetadataStringValue");
        assertThat(withTeam.path("customProperties").path("team").path("string_value").asString()).isEqualTo("growth");
        assertThat(withDataset.path("customProperties").path("dataset").path("string_value").asString())
                .isEqualTo("2024-06");
        assertThat(withTeam.path("customProperties").has("dataset")).isFalse();
        JsonNode aliases = REGISTRY.models().get(0).path("customProperties");
        assertThat(aliases.path("switchboard.alias.champion").path("string_value").asString())
                .isEqualTo(withDataset.path("name").asString());
        assertThat(REGISTRY.artifacts()).extracting(a -> a.path("uri").asString())
                .containsExactlyInAnyOrder("s3://models/churn/v1/model.joblib", "s3://models/churn/v2/model.joblib");

        REGISTRY.server().resetRequests();
        SyncReport again = sync.apply("mlflow-to-kubeflow", SyncService.Scope.FULL);

        assertThat(again.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(writes(REGISTRY.server().getAllServeEvents())).as("registry writes of the re-run").isEmpty();
        assertThat(REGISTRY.versions()).hasSize(2);
    }

    @Test
    void registryVersionsArriveInMlflowWithTagsAndAliasAndAReRunWritesNothing() {
        JsonNode first = REGISTRY.createVersion("fraud", "1", "s3://models/fraud/1/model.onnx");
        JsonNode second = REGISTRY.createVersion("fraud", "2", "s3://models/fraud/2/model.onnx");
        REGISTRY.call("PATCH", "/model_versions/" + first.path("id").asString(), properties(
                Map.of("owner", string("risk-team"), "switchboard.param.epochs", string("12"),
                        "switchboard.metric.auc", JSON.createObjectNode().put("metadataType", "MetadataDoubleValue")
                                .put("double_value", 0.91))));
        REGISTRY.call("PATCH", "/model_versions/" + second.path("id").asString(), properties(
                Map.of("owner", string("risk-team"), "validated", JSON.createObjectNode()
                        .put("metadataType", "MetadataBoolValue").put("bool_value", true))));
        REGISTRY.call("PATCH", "/registered_models/" + first.path("registeredModelId").asString(), properties(
                Map.of("switchboard.alias.champion", string("2"))));

        SyncReport created = sync.apply("kubeflow-to-mlflow");

        assertThat(created.outcomes()).extracting(SyncOutcome::kind)
                .containsExactly(SyncOutcome.Kind.CREATED, SyncOutcome.Kind.CREATED);
        assertThat(created.outcomes()).flatExtracting(SyncOutcome::fidelity).extracting(FidelityGap::field)
                .contains(Fidelity.Field.PARAMS, Fidelity.Field.METRICS);
        var mlflow = connections.get("mlflow-prod").modelRegistry().orElseThrow();
        ModelVersion champion = mlflow.getVersionByAlias("fraud", "champion").orElseThrow();
        assertThat(champion.artifact().uri().toString()).isEqualTo("s3://models/fraud/2/model.onnx");
        assertThat(champion.tags()).containsEntry("owner", "risk-team").containsEntry("validated", "true");
        ModelVersion other = mlflow.listVersions("fraud", null, dev.switchboard.spi.PageRequest.first(10)).items()
                .stream().filter(v -> !v.version().equals(champion.version())).findFirst().orElseThrow();
        assertThat(other.artifact().uri().toString()).isEqualTo("s3://models/fraud/1/model.onnx");
        assertThat(other.tags()).containsEntry("owner", "risk-team").doesNotContainKey("validated")
                .doesNotContainKey("switchboard.param.epochs");
        assertThat(other.aliases()).isEmpty();

        MLFLOW.server().resetRequests();
        SyncReport again = sync.apply("kubeflow-to-mlflow", SyncService.Scope.FULL);

        assertThat(again.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(writes(MLFLOW.server().getAllServeEvents())).as("MLflow writes of the re-run").isEmpty();
        assertThat(mlflow.listVersions("fraud", null, dev.switchboard.spi.PageRequest.first(10)).items()).hasSize(2);
    }

    @Test
    void mlflowsArchivedStageBecomesStateArchivedAndOtherStagesAreReportedAsNotHeld() {
        String v1 = MLFLOW.createModelVersion("churn", "s3://models/churn/v1/model.joblib");
        String v2 = MLFLOW.createModelVersion("churn", "s3://models/churn/v2/model.joblib");
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", "churn", "version", v1,
                "stage", "Archived", "archive_existing_versions", "false"));
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", "churn", "version", v2,
                "stage", "Staging", "archive_existing_versions", "false"));

        SyncReport first = sync.apply("mlflow-to-kubeflow");

        assertThat(first.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.CREATED);
        assertThat(first.outcomes()).flatExtracting(SyncOutcome::fidelity).singleElement().satisfies(gap -> {
            assertThat(gap.field()).isEqualTo(Fidelity.Field.STAGE);
            assertThat(gap.detail()).isEqualTo("stage STAGING not held by the target (it holds [NONE, ARCHIVED])");
        });
        assertThat(REGISTRY.versions()).extracting(v -> v.path("state").asString())
                .containsExactlyInAnyOrder("ARCHIVED", "LIVE");
        assertThat(stateOfVersionWithUri("s3://models/churn/v1/model.joblib")).isEqualTo("ARCHIVED");

        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", "churn", "version", v1,
                "stage", "None", "archive_existing_versions", "false"));
        SyncReport restored = sync.apply("mlflow-to-kubeflow");

        assertThat(restored.outcomes()).extracting(SyncOutcome::kind).contains(SyncOutcome.Kind.UPDATED);
        assertThat(stateOfVersionWithUri("s3://models/churn/v1/model.joblib")).as("back to None").isEqualTo("LIVE");
        REGISTRY.server().resetRequests();
        assertThat(sync.apply("mlflow-to-kubeflow", SyncService.Scope.FULL).outcomes()).extracting(SyncOutcome::kind)
                .containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(writes(REGISTRY.server().getAllServeEvents())).as("registry writes of the re-run").isEmpty();
    }

    @Test
    void registryStateArchivedBecomesMlflowsArchivedStageAndBack() {
        JsonNode archived = REGISTRY.createVersion("fraud", "1", "s3://models/fraud/1/model.onnx");
        REGISTRY.createVersion("fraud", "2", "s3://models/fraud/2/model.onnx");
        REGISTRY.call("PATCH", "/model_versions/" + archived.path("id").asString(),
                JSON.createObjectNode().put("state", "ARCHIVED"));

        SyncReport created = sync.apply("kubeflow-to-mlflow");

        assertThat(created.outcomes()).extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.CREATED);
        assertThat(created.outcomes()).flatExtracting(SyncOutcome::fidelity).extracting(FidelityGap::field)
                .doesNotContain(Fidelity.Field.STAGE);
        assertThat(mlflowStageOf("s3://models/fraud/1/model.onnx")).isEqualTo("Archived");
        assertThat(mlflowStageOf("s3://models/fraud/2/model.onnx")).isEqualTo("None");

        REGISTRY.call("PATCH", "/model_versions/" + archived.path("id").asString(),
                JSON.createObjectNode().put("state", "LIVE"));
        assertThat(sync.apply("kubeflow-to-mlflow").outcomes()).extracting(SyncOutcome::kind)
                .contains(SyncOutcome.Kind.UPDATED);
        assertThat(mlflowStageOf("s3://models/fraud/1/model.onnx")).as("live again").isEqualTo("None");

        MLFLOW.server().resetRequests();
        assertThat(sync.apply("kubeflow-to-mlflow", SyncService.Scope.FULL).outcomes()).extracting(SyncOutcome::kind)
                .containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(writes(MLFLOW.server().getAllServeEvents())).as("MLflow writes of the re-run").isEmpty();
    }

    @Test
    void aHubWithAnEmptyDatabaseFindsTheVersionsItsPredecessorSyncedAndWritesNothing() {
        MLFLOW.createModelVersion("churn", "s3://models/churn/v1/model.joblib");
        String v2 = MLFLOW.createModelVersion("churn", "s3://models/churn/v2/model.joblib");
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", "churn", "alias", "champion", "version", v2));
        assertThat(sync.apply("mlflow-to-kubeflow").outcomes()).extracting(SyncOutcome::kind)
                .containsOnly(SyncOutcome.Kind.CREATED);

        REGISTRY.server().resetRequests();
        SyncReport fresh = openHub(directory.resolve("restored")).apply("mlflow-to-kubeflow");

        assertThat(fresh.outcomes()).as("found by their source reference, not created again")
                .extracting(SyncOutcome::kind).containsOnly(SyncOutcome.Kind.UNCHANGED);
        assertThat(fresh.outcomes()).extracting(SyncOutcome::reason)
                .allSatisfy(detail -> assertThat(detail).startsWith("already at the target as "));
        assertThat(writes(REGISTRY.server().getAllServeEvents())).as("registry writes of the fresh hub").isEmpty();
        assertThat(REGISTRY.versions()).hasSize(2);
    }

    /** The {@code state} of the registry version whose model artifact has {@code uri}. */
    private static String stateOfVersionWithUri(String uri) {
        return REGISTRY.versions().stream().filter(v -> REGISTRY.call("GET", "/model_versions/"
                        + v.path("id").asString() + "/artifacts?pageSize=10", null).path("items").valueStream()
                        .anyMatch(artifact -> artifact.path("uri").asString().equals(uri)))
                .findFirst().orElseThrow().path("state").asString();
    }

    private static String mlflowStageOf(String source) {
        JsonNode versions = MLFLOW.call("GET", "model-versions/search", Map.of("filter", "name = 'fraud'"))
                .path("model_versions");
        for (JsonNode version : versions) {
            if (version.path("source").asString().equals(source)) {
                return version.path("current_stage").asString();
            }
        }
        throw new AssertionError("no MLflow version of fraud has the source " + source);
    }

    private static JsonNode versionWithProperty(String key) {
        return REGISTRY.versions().stream().filter(v -> v.path("customProperties").has(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no version has the custom property " + key));
    }

    private static ObjectNode string(String value) {
        return JSON.createObjectNode().put("metadataType", "MetadataStringValue").put("string_value", value);
    }

    private static ObjectNode properties(Map<String, JsonNode> properties) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode props = body.putObject("customProperties");
        properties.forEach(props::set);
        return body;
    }

    /** Requests that change something: anything but GET, except MLflow's POST searches. */
    private static List<String> writes(List<ServeEvent> events) {
        return events.stream().map(ServeEvent::getRequest)
                .filter(r -> !r.getMethod().getName().equals("GET") && !r.getUrl().contains("/search"))
                .map(r -> r.getMethod().getName() + " " + r.getUrl()).toList();
    }
}
