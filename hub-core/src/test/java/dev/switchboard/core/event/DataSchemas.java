package dev.switchboard.core.event;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.switchboard.model.EventType;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loads the canonical model's data schemas from the class path and validates JSON against them. */
final class DataSchemas {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    // In draft 2020-12 "format" only annotates unless asked; the schemas rely on it for date-time and uri.
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private static final Map<EventType, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private DataSchemas() {
    }

    /**
     * The schema of the type's data. It is loaded by a {@code classpath:} location, so its relative
     * {@code $ref}s to {@code common.schema.json} resolve to the sibling resource.
     */
    static JsonSchema of(EventType type) {
        return SCHEMAS.computeIfAbsent(type, t -> FACTORY.getSchema(
                SchemaLocation.of("classpath:" + t.schemaResource().substring(1)), CONFIG));
    }

    static Set<ValidationMessage> validate(EventType type, String dataJson) {
        return of(type).validate(dataJson, InputFormat.JSON);
    }
}
