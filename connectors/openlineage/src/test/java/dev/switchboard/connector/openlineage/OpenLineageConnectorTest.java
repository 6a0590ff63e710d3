package dev.switchboard.connector.openlineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.conformance.fakes.openlineage.FakeOpenLineage;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The connector against a fake OpenLineage endpoint that validates every event against the published schema. */
class OpenLineageConnectorTest {

    private static final CanonicalEvent CHAMPION = new CanonicalEvent("evt-1", CanonicalEvent.sourceOf("mlflow-prod"),
            EventType.MODEL_VERSION_ALIAS_SET, "models/churn/versions/1", Instant.parse("2026-01-02T03:04:05Z"),
            new AliasChange("churn", "champion", "1", ResourceRef.of("mlflow", "mlflow-prod", "registered_model", "churn")));

    private FakeOpenLineage backend;
    private Connection connection;

    @BeforeEach
    void open() throws IOException {
        backend = new FakeOpenLineage();
        connection = new OpenLineageConnector().open(new ConnectionConfig("lineage", OpenLineageConnector.TYPE,
                Map.of("url", backend.url(), "namespace", "ml-platform")), ConnectorContext.standalone());
    }

    @AfterEach
    void close() {
        connection.close();
        backend.close();
    }

    @Test
    void aPromotionsStartAndCompleteAreValidRunEventsOfOneRunWithItsModelVersionAndArtifact() {
        perform(Map.of("event-type", "START", "job", "champion-to-sagemaker-and-deploy"));
        ActionTarget.Result complete = perform(Map.of("event-type", "COMPLETE", "job", "champion-to-sagemaker-and-deploy",
                "outputs", "s3://models/churn/1/model.tar.gz, switchboard://sagemaker-prod/models/churn/versions/1"));

        assertThat(backend.refusals()).isEmpty();
        assertThat(backend.events()).hasSize(2);
        JsonNode start = backend.events().get(0);
        JsonNode end = backend.events().get(1);
        assertThat(start.path("eventType").asString()).isEqualTo("START");
        assertThat(end.path("eventType").asString()).isEqualTo("COMPLETE");
        assertThat(end.path("run").path("runId").asString()).as("one run for the event")
                .isEqualTo(start.path("run").path("runId").asString()).isEqualTo(complete.outputs().get("run-id"));
        assertThat(end.path("job").path("namespace").asString()).isEqualTo("ml-platform");
        assertThat(end.path("schemaURL").asString()).isEqualTo(FakeOpenLineage.RUN_EVENT_SCHEMA_URL);
        assertThat(end.path("inputs").get(0).path("namespace").asString()).isEqualTo("switchboard://mlflow-prod");
        assertThat(end.path("inputs").get(0).path("name").asString()).isEqualTo("models/churn/versions/1");
        assertThat(end.path("outputs").get(0).path("namespace").asString()).isEqualTo("s3://models");
        assertThat(end.path("outputs").get(0).path("name").asString()).isEqualTo("churn/1/model.tar.gz");
        assertThat(end.path("outputs").get(1).path("namespace").asString()).isEqualTo("switchboard://sagemaker-prod");
    }

    @Test
    void theSchemaRefusesARunEventWithoutARunOrWithAMalformedTime() {
        assertThat(FakeOpenLineage.validate("{\"eventType\":\"START\",\"eventTime\":\"yesterday\",\"run\":{\"runId\":"
                + "\"0c847daa-238e-4eca-8054-5583bb212d29\"},\"job\":{\"namespace\":\"n\",\"name\":\"j\"},"
                + "\"producer\":\"urn:x\",\"schemaURL\":\"" + FakeOpenLineage.RUN_EVENT_SCHEMA_URL + "\"}"))
                .singleElement().asString().contains("eventTime");
        assertThat(FakeOpenLineage.validate("{\"eventType\":\"START\",\"eventTime\":\"2026-01-02T03:04:05Z\","
                + "\"job\":{\"namespace\":\"n\",\"name\":\"j\"},\"producer\":\"urn:x\",\"schemaURL\":\""
                + FakeOpenLineage.RUN_EVENT_SCHEMA_URL + "\"}")).isNotEmpty();
    }

    @Test
    void aBackendOutageIsTransientAndARefusedEventIsAConfigurationError() {
        backend.failNext(1, 503);
        assertThatThrownBy(() -> perform(Map.of("event-type", "START", "job", "j")))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.isRetryable()).isTrue());
        backend.failNext(1, 422);
        assertThatThrownBy(() -> perform(Map.of("event-type", "START", "job", "j")))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
                    assertThat(e.getMessage()).contains("HTTP 422", "injected fault");
                });
    }

    @Test
    void badParametersAreConfigurationErrorsNamingTheValue() {
        assertThatThrownBy(() -> perform(Map.of("event-type", "DONE", "job", "j")))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("event-type must be one of")
                .hasMessageContaining("\"DONE\"");
        assertThatThrownBy(() -> perform(Map.of("event-type", "START", "job", "j", "inputs", "models/churn")))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("\"models/churn\"");
        assertThat(backend.events()).isEmpty();
    }

    @Test
    void everyConfigurationProblemIsReported() {
        assertThat(new OpenLineageConnector().validate(new ConnectionConfig("lineage", OpenLineageConnector.TYPE,
                Map.of("producer", "not a uri", "api-key", "s3cr3t"))))
                .extracting(ConfigProblem::path).containsExactlyInAnyOrder("connections.lineage.options.url",
                        "connections.lineage.options.producer");
        assertThat(connection.check(java.time.Duration.ofSeconds(5)).ok()).isTrue();
    }

    private ActionTarget.Result perform(Map<String, String> parameters) {
        return connection.actionTarget().orElseThrow().perform(new ActionTarget.Request("emit-run-event", parameters,
                CHAMPION, "key-1"));
    }
}
