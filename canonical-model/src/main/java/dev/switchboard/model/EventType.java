package dev.switchboard.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalogue of canonical event types. Each has a short dotted name ({@code model_version.created}), a
 * payload type, and a JSON Schema shipped at {@code dev/switchboard/model/schema/<name>.schema.json}. On the
 * wire, as a CloudEvents {@code type}, the name carries the prefix {@value #CLOUDEVENTS_PREFIX}.
 */
public enum EventType {
    REGISTERED_MODEL_CREATED("registered_model.created", RegisteredModel.class),
    MODEL_VERSION_CREATED("model_version.created", ModelVersion.class),
    MODEL_VERSION_UPDATED("model_version.updated", ModelVersion.class),
    MODEL_VERSION_ALIAS_SET("model_version.alias_set", AliasChange.class),
    MODEL_VERSION_ALIAS_DELETED("model_version.alias_deleted", AliasChange.class),
    MODEL_VERSION_TAG_SET("model_version.tag_set", TagChange.class),
    MODEL_VERSION_TAG_DELETED("model_version.tag_deleted", TagChange.class),
    MODEL_VERSION_STAGE_CHANGED("model_version.stage_changed", StageChange.class),
    MODEL_VERSION_APPROVAL_CHANGED("model_version.approval_changed", ApprovalChange.class),
    RUN_FINISHED("run.finished", Run.class),
    PIPELINE_RUN_FINISHED("pipeline_run.finished", PipelineRun.class),
    CI_RUN_STARTED("ci_run.started", CiRun.class),
    CI_RUN_FINISHED("ci_run.finished", CiRun.class),
    DATA_VERSION_CREATED("data_version.created", DataVersion.class),
    SYNC_COMPLETED("sync.completed", SyncCompleted.class);

    /** The prefix a type name carries as a CloudEvents {@code type} attribute. */
    public static final String CLOUDEVENTS_PREFIX = "dev.switchboard.";

    private static final Map<String, EventType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::typeName, Function.identity()));

    private final String typeName;
    private final Class<? extends EventData> dataType;

    EventType(String typeName, Class<? extends EventData> dataType) {
        this.typeName = typeName;
        this.dataType = dataType;
    }

    /** The short dotted name, as routes and the REST API use it. */
    @JsonValue
    public String typeName() {
        return typeName;
    }

    /** The payload record every event of this type carries. */
    public Class<? extends EventData> dataType() {
        return dataType;
    }

    /** The CloudEvents {@code type} attribute: the name with {@value #CLOUDEVENTS_PREFIX} in front. */
    public String cloudEventType() {
        return CLOUDEVENTS_PREFIX + typeName;
    }

    /** Where this type's JSON Schema (draft 2020-12) for {@code data} lives on the class path. */
    public String schemaResource() {
        return "/dev/switchboard/model/schema/" + typeName + ".schema.json";
    }

    /**
     * Looks a type up by its short name or its CloudEvents type.
     *
     * @throws IllegalArgumentException naming the unknown value and listing the known names
     */
    @JsonCreator
    public static EventType of(String name) {
        String shortName = name != null && name.startsWith(CLOUDEVENTS_PREFIX)
                ? name.substring(CLOUDEVENTS_PREFIX.length()) : name;
        EventType type = BY_NAME.get(shortName);
        if (type == null) {
            throw new IllegalArgumentException("unknown event type " + Checks.quote(name)
                    + "; known types: " + String.join(", ", BY_NAME.keySet().stream().sorted().toList()));
        }
        return type;
    }

    @Override
    public String toString() {
        return typeName;
    }
}
