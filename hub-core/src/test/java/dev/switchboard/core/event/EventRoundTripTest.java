package dev.switchboard.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Run;
import dev.switchboard.model.RunStatus;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class EventRoundTripTest {

    private static final EventCodec CODEC = new EventCodec();

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeRoundTripsThroughJsonSchemaAndCloudEvents(EventType type) {
        for (CanonicalEvent event : SampleEvents.of(type)) {
            String json = CODEC.toJsonString(event);
            JsonNode document = tree(json);

            assertThat(document.get("specversion").stringValue()).isEqualTo("1.0");
            assertThat(document.get("id").stringValue()).isEqualTo(event.id());
            assertThat(document.get("source").stringValue()).isEqualTo(event.source().toString());
            assertThat(document.get("type").stringValue()).isEqualTo("dev.switchboard." + type.typeName());
            assertThat(document.get("subject").stringValue()).isEqualTo(event.subject());
            assertThat(document.get("time").stringValue()).isEqualTo(event.time().toString());
            assertThat(document.get("datacontenttype").stringValue()).isEqualTo("application/json");
            assertThat(document.get("data").isObject()).isTrue();
            assertThat(tree(CODEC.dataJson(event.data()))).isEqualTo(document.get("data"));

            assertThat(DataSchemas.validate(type, document.get("data").toString()))
                    .as("schema errors for %s in %s", type, json)
                    .isEmpty();

            assertThat(CODEC.fromJson(json)).isEqualTo(event);
            assertThat(CODEC.fromJson(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(event);

            CloudEvent cloudEvent = CODEC.toCloudEvent(event);
            assertThat(cloudEvent.getSpecVersion()).isEqualTo(SpecVersion.V1);
            assertThat(cloudEvent.getId()).isEqualTo(event.id());
            assertThat(cloudEvent.getType()).startsWith("dev.switchboard.").isEqualTo(type.cloudEventType());
            assertThat(cloudEvent.getSource()).isEqualTo(event.source());
            assertThat(cloudEvent.getSubject()).isEqualTo(event.subject());
            assertThat(cloudEvent.getTime().toInstant()).isEqualTo(event.time());
            assertThat(cloudEvent.getDataContentType()).isEqualTo("application/json");
            assertThat(tree(cloudEvent.getData().toBytes())).isEqualTo(document.get("data"));

            assertThat(CODEC.fromCloudEvent(cloudEvent)).isEqualTo(event);
        }
    }

    @Test
    void nullFieldsAreOmittedAndEmptyCollectionsAreWritten() {
        CanonicalEvent event = SampleEvents.sparse(EventType.MODEL_VERSION_CREATED);

        JsonNode data = tree(CODEC.toJsonString(event)).get("data");

        assertThat(data.propertyNames())
                .containsExactly("ref", "modelName", "version", "aliases", "tags", "metrics", "params");
        assertThat(data.get("ref").propertyNames()).containsExactly("system", "connection", "kind", "nativeId");
        assertThat(data.get("aliases").isArray()).isTrue();
        assertThat(data.get("aliases").isEmpty()).isTrue();
        assertThat(data.get("tags").isObject()).isTrue();
        assertThat(data.get("tags").isEmpty()).isTrue();
    }

    @Test
    void instantsAndEnumsAreWrittenAsStrings() {
        JsonNode data = tree(CODEC.dataJson(SampleEvents.fullModelVersion()));

        assertThat(data.get("createdAt").isString()).isTrue();
        assertThat(data.get("createdAt").stringValue()).isEqualTo("2024-05-01T10:15:30.123456Z");
        assertThat(data.get("stage").stringValue()).isEqualTo("PRODUCTION");
        assertThat(data.get("artifact").get("digest").get("algorithm").stringValue()).isEqualTo("SHA_256");
        assertThat(data.get("version").isString()).isTrue();
    }

    @Test
    void explicitNullsAndAbsentCollectionsFromOtherProducersAreRead() {
        ObjectNode document = (ObjectNode) tree(CODEC.toJsonString(SampleEvents.sparse(EventType.MODEL_VERSION_CREATED)));
        ObjectNode data = (ObjectNode) document.get("data");
        data.putNull("description");
        data.putNull("stage");
        data.remove("tags");

        CanonicalEvent read = CODEC.fromJson(document.toString());

        assertThat(read.data()).isEqualTo(SampleEvents.sparseModelVersion());
    }

    @Test
    void nonFiniteMetricsRoundTripAsStringsTheSchemaAccepts() {
        Run run = new Run(ResourceRef.of("mlflow", "mlflow-prod", "run", "r1"), "7", null, RunStatus.FAILED, null,
                null, null, Map.of("loss", Double.NaN, "grad_norm", Double.POSITIVE_INFINITY), null, null);
        CanonicalEvent event = new CanonicalEvent("e1", CanonicalEvent.sourceOf("mlflow-prod"),
                EventType.RUN_FINISHED, "runs/r1", SampleEvents.CREATED, run);

        String json = CODEC.toJsonString(event);

        assertThat(tree(json).get("data").get("metrics").get("loss").stringValue()).isEqualTo("NaN");
        assertThat(DataSchemas.validate(EventType.RUN_FINISHED, tree(json).get("data").toString())).isEmpty();
        assertThat(CODEC.fromJson(json)).isEqualTo(event);
    }

    @Test
    void unknownTypeIsRejectedNamingTheType() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("type", "dev.switchboard.model_version.exploded");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("\"dev.switchboard.model_version.exploded\"")
                .hasMessageContaining("model_version.created")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("type");
    }

    @Test
    void missingTypeIsRejectedNamingTheField() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.remove("type");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("type is missing");
    }

    @Test
    void typeWithoutThePrefixIsRejectedInJson() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("type", "model_version.created");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("type must start with \"dev.switchboard.\", but was \"model_version.created\"");
    }

    @Test
    void missingIdIsRejectedNamingTheField() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.remove("id");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("id is missing")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("id");
    }

    @Test
    void blankSubjectIsRejectedNamingTheField() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("subject", " ");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("subject must not be blank, but was \" \"");
    }

    @Test
    void unparseableTimeIsRejectedNamingTheFieldAndValue() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("time", "yesterday");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith("time must be an RFC 3339 timestamp")
                .hasMessageEndingWith("but was \"yesterday\"");
    }

    @Test
    void timeWithAnOffsetIsReadAsTheSameInstant() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("time", "2024-05-01T12:15:30.123456+02:00");

        assertThat(CODEC.fromJson(document.toString()).time()).isEqualTo(SampleEvents.CREATED);
    }

    @Test
    void wrongSpecVersionIsRejected() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("specversion", "0.3");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("specversion must be \"1.0\", but was \"0.3\"");
    }

    @Test
    void nonJsonDocumentIsRejected() {
        assertThatThrownBy(() -> CODEC.fromJson("{\"id\": "))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith("document is not valid JSON");
        assertThatThrownBy(() -> CODEC.fromJson(""))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("document is empty");
        assertThatThrownBy(() -> CODEC.fromJson("[]"))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("a CloudEvent must be a JSON object, but was ARRAY");
    }

    @Test
    void dataOfAnotherTypeIsRejectedNamingTheTypeAndTheExpectedRecord() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("type", "dev.switchboard.model_version.alias_set");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is not a valid AliasChange (for type model_version.alias_set): "
                        + "alias must not be blank, but was null")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("data");
    }

    @Test
    void unknownDataPropertyIsRejectedNamingItAndTheKnownOnes() {
        ObjectNode document = document(EventType.MODEL_VERSION_ALIAS_SET);
        ((ObjectNode) document.get("data")).put("aliasName", "champion");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is not a valid AliasChange (for type model_version.alias_set): "
                        + "data.aliasName: unknown property, expected one of [modelName, alias, version, model]")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("data.aliasName");
    }

    @Test
    void dataMissingARequiredFieldIsRejectedNamingTheField() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        ((ObjectNode) document.get("data")).remove("version");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is not a valid ModelVersion (for type model_version.created): "
                        + "version must not be blank, but was null");
    }

    @Test
    void invalidNestedValueIsRejectedWithItsPath() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        ((ObjectNode) document.get("data").get("artifact").get("digest")).put("value", "not-hex");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is not a valid ModelVersion (for type model_version.created): "
                        + "data.artifact.digest: value must be lower-case hex for SHA_256, but was \"not-hex\"")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("data.artifact.digest");
    }

    @Test
    void missingDataIsRejected() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.remove("data");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is missing");
    }

    @Test
    void base64DataIsRead() {
        CanonicalEvent event = SampleEvents.full(EventType.MODEL_VERSION_CREATED);
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.remove("data");
        document.put("data_base64", Base64.getEncoder().encodeToString(CODEC.dataJson(event.data())));

        assertThat(CODEC.fromJson(document.toString())).isEqualTo(event);
    }

    @Test
    void nonJsonDataContentTypeIsRejectedInJson() {
        ObjectNode document = document(EventType.MODEL_VERSION_CREATED);
        document.put("datacontenttype", "application/xml");

        assertThatThrownBy(() -> CODEC.fromJson(document.toString()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("datacontenttype must be application/json (or a +json type), but was \"application/xml\"");
    }

    @Test
    void cloudEventWithAForeignTypePrefixIsRejected() {
        CloudEvent foreign = CloudEventBuilder.v1(CODEC.toCloudEvent(SampleEvents.full(EventType.CI_RUN_FINISHED)))
                .withType("com.github.workflow_run.completed")
                .build();

        assertThatThrownBy(() -> CODEC.fromCloudEvent(foreign))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("type must start with \"dev.switchboard.\", but was \"com.github.workflow_run.completed\"")
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("type");
    }

    @Test
    void cloudEventWithNonJsonDataIsRejected() {
        CanonicalEvent event = SampleEvents.full(EventType.CI_RUN_FINISHED);
        CloudEvent text = CloudEventBuilder.v1(CODEC.toCloudEvent(event))
                .withData("text/plain; charset=utf-8", CODEC.dataJson(event.data()))
                .build();

        assertThatThrownBy(() -> CODEC.fromCloudEvent(text))
                .isInstanceOf(EventFormatException.class)
                .extracting(e -> ((EventFormatException) e).field()).isEqualTo("datacontenttype");
    }

    @Test
    void cloudEventWithAJsonSuffixContentTypeAndCharsetIsRead() {
        CanonicalEvent event = SampleEvents.full(EventType.CI_RUN_FINISHED);
        CloudEvent cloudEvent = CloudEventBuilder.v1(CODEC.toCloudEvent(event))
                .withData("application/vnd.switchboard+json; charset=utf-8", CODEC.dataJson(event.data()))
                .build();

        assertThat(CODEC.fromCloudEvent(cloudEvent)).isEqualTo(event);
    }

    @Test
    void cloudEventWithoutTimeOrDataIsRejected() {
        CanonicalEvent event = SampleEvents.full(EventType.CI_RUN_FINISHED);
        CloudEvent complete = CODEC.toCloudEvent(event);
        CloudEvent withoutTime = CloudEventBuilder.v1()
                .withId(event.id())
                .withSource(event.source())
                .withType(event.type().cloudEventType())
                .withSubject(event.subject())
                .withData("application/json", CODEC.dataJson(event.data()))
                .build();

        assertThatThrownBy(() -> CODEC.fromCloudEvent(withoutTime))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("time is missing");
        assertThatThrownBy(() -> CODEC.fromCloudEvent(CloudEventBuilder.v1(complete).withoutData().build()))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("data is missing");
    }

    @Test
    void jsonMapperWritesRecordsInTheWireForm() {
        ModelVersion version = SampleEvents.sparseModelVersion();

        String json = CODEC.jsonMapper().writeValueAsString(version);

        assertThat(json).doesNotContain("null");
        assertThat(CODEC.jsonMapper().readValue(json, ModelVersion.class)).isEqualTo(version);
    }

    private static ObjectNode document(EventType type) {
        return (ObjectNode) tree(CODEC.toJsonString(SampleEvents.full(type)));
    }

    private static JsonNode tree(String json) {
        return CODEC.jsonMapper().readTree(json);
    }

    private static JsonNode tree(byte[] json) {
        return CODEC.jsonMapper().readTree(json);
    }
}
