package dev.switchboard.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.ValidationMessage;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.EventData;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.model.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The data schemas are strict, and they stay in step with the records and enums they describe. */
class EventSchemaTest {

    private static final EventCodec CODEC = new EventCodec();
    private static final JsonNode COMMON = resource("/dev/switchboard/model/schema/common.schema.json");

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyEventTypeSchemaRefersToTheDefinitionOfItsDataRecord(EventType type) {
        JsonNode schema = resource(type.schemaResource());

        assertThat(schema.get("$schema").stringValue()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("$ref").stringValue())
                .isEqualTo("common.schema.json#/$defs/" + type.dataType().getSimpleName());
    }

    @Test
    void schemaDefinitionsListExactlyTheRecordComponents() {
        Stream.concat(Stream.of(ResourceRef.class, ArtifactRef.class, Digest.class),
                        Arrays.stream(EventData.class.getPermittedSubclasses()))
                .forEach(record -> {
                    JsonNode definition = COMMON.get("$defs").get(record.getSimpleName());
                    assertThat(definition).as("$defs/%s", record.getSimpleName()).isNotNull();
                    List<String> components = Arrays.stream(record.getRecordComponents())
                            .map(java.lang.reflect.RecordComponent::getName).toList();
                    assertThat(definition.get("properties").propertyNames())
                            .as("properties of $defs/%s", record.getSimpleName())
                            .containsExactlyElementsOf(components);
                    assertThat(definition.get("additionalProperties").booleanValue()).isFalse();
                    assertThat(strings(definition.get("required"))).isSubsetOf(components);
                });
    }

    @Test
    void schemaEnumsListExactlyTheJavaConstants() {
        assertThat(enumOf("Stage")).containsExactlyElementsOf(names(Stage.values()));
        assertThat(enumOf("ApprovalStatus")).containsExactlyElementsOf(names(ApprovalStatus.values()));
        assertThat(enumOf("RunStatus")).containsExactlyElementsOf(names(RunStatus.values()));
        assertThat(enumOf("TerminalRunStatus")).containsExactlyElementsOf(
                names(Arrays.stream(RunStatus.values()).filter(RunStatus::isTerminal).toArray(RunStatus[]::new)));
        assertThat(strings(COMMON.get("$defs").get("Digest").get("properties").get("algorithm").get("enum")))
                .containsExactlyElementsOf(names(Digest.Algorithm.values()));
    }

    @Test
    void modelVersionWithoutVersionIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.remove("version")))
                .anySatisfy(message -> assertThat(message).contains("required").contains("version"));
    }

    @Test
    void blankRequiredTextIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("modelName", " ")))
                .anySatisfy(message -> assertThat(message).contains("/modelName"));
    }

    @Test
    void unknownPropertyIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("owner", "alice")))
                .anySatisfy(message -> assertThat(message).contains("owner"));
    }

    @Test
    void explicitNullIsRejectedBecauseTheCodecOmitsNulls() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.putNull("description")))
                .anySatisfy(message -> assertThat(message).contains("/description"));
    }

    @Test
    void versionAsANumberIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("version", 3)))
                .anySatisfy(message -> assertThat(message).contains("/version"));
    }

    @Test
    void enumValueInAnotherSpellingIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("stage", "Production")))
                .anySatisfy(message -> assertThat(message).contains("/stage"));
    }

    @Test
    void badSha256IsRejectedButAnOpaqueEtagIsNot() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED,
                data -> ((ObjectNode) data.get("artifact").get("digest")).put("value", "ABC")))
                .anySatisfy(message -> assertThat(message).contains("/artifact/digest/value"));
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> ((ObjectNode) data.get("artifact").get("digest"))
                .put("algorithm", "ETAG").put("value", "\"9b2cf535f27731c974343645a3985328-4\"")))
                .isEmpty();
    }

    @Test
    void negativeSizeIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED,
                data -> ((ObjectNode) data.get("artifact")).put("size", -1)))
                .anySatisfy(message -> assertThat(message).contains("/artifact/size"));
    }

    @Test
    void timestampThatIsNotRfc3339IsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("createdAt", "2024-05-01 10:15")))
                .anySatisfy(message -> assertThat(message).contains("/createdAt"));
        assertThat(errors(EventType.MODEL_VERSION_CREATED, data -> data.put("createdAt", 1714558530)))
                .anySatisfy(message -> assertThat(message).contains("/createdAt"));
    }

    @Test
    void metricThatIsNotANumberIsRejected() {
        assertThat(errors(EventType.RUN_FINISHED, data -> ((ObjectNode) data.get("metrics")).put("auc", "high")))
                .anySatisfy(message -> assertThat(message).contains("/metrics/auc"));
    }

    @Test
    void finishedRunWithANonTerminalStatusIsRejected() {
        for (EventType finished : List.of(EventType.RUN_FINISHED, EventType.PIPELINE_RUN_FINISHED,
                EventType.CI_RUN_FINISHED)) {
            assertThat(errors(finished, data -> data.put("status", "RUNNING")))
                    .as(finished.typeName())
                    .anySatisfy(message -> assertThat(message).contains("/status"));
        }
    }

    @Test
    void aliasSetWithoutAVersionIsRejectedButAliasDeletedIsNot() {
        assertThat(errors(EventType.MODEL_VERSION_ALIAS_SET, data -> data.remove("version")))
                .anySatisfy(message -> assertThat(message).contains("version"));
        assertThat(errors(EventType.MODEL_VERSION_ALIAS_DELETED, data -> data.remove("version"))).isEmpty();
    }

    @Test
    void tagSetWithoutAValueIsRejected() {
        assertThat(errors(EventType.MODEL_VERSION_TAG_SET, data -> data.remove("value")))
                .anySatisfy(message -> assertThat(message).contains("value"));
    }

    /** Validates the full sample's data of the type after the change, returning the error messages. */
    private static List<String> errors(EventType type, Consumer<ObjectNode> change) {
        ObjectNode data = (ObjectNode) CODEC.jsonMapper().readTree(CODEC.dataJson(SampleEvents.full(type).data()));
        change.accept(data);
        Set<ValidationMessage> messages = DataSchemas.validate(type, data.toString());
        return messages.stream().map(ValidationMessage::getMessage).toList();
    }

    private static List<String> enumOf(String definition) {
        return strings(COMMON.get("$defs").get(definition).get("enum"));
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::stringValue).toList();
    }

    private static List<String> names(Enum<?>[] constants) {
        return Arrays.stream(constants).map(Enum::name).collect(Collectors.toList());
    }

    private static JsonNode resource(String path) {
        try (InputStream in = EventSchemaTest.class.getResourceAsStream(path)) {
            assertThat(in).as("class path resource %s", path).isNotNull();
            return CODEC.jsonMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
