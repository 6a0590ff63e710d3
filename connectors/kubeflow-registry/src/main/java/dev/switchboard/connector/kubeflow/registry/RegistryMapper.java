package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Canonical ↔ registry mapping. Everything the registry has no field for lives in {@code customProperties}, as
 * typed values ({@code {"metadataType": "MetadataStringValue", "string_value": …}}):
 * <ul>
 *   <li>tags: one property per tag, {@code MetadataStringValue}, under the tag's own key. Reading, a property of
 *       another scalar type becomes a tag too ({@code int_value} as its decimal string, {@code double_value} as
 *       Java prints it, {@code bool_value} as {@code true}/{@code false}); struct and proto values are not tags
 *       (they are kept on the registry, never overwritten, and not shown).</li>
 *   <li>aliases: on the registered model, {@value #ALIAS_PREFIX}{@code <alias>} = the version's name, so moving an
 *       alias is one PATCH of one object.</li>
 *   <li>params: {@value #PARAM_PREFIX}{@code <name>} ({@code MetadataStringValue}); metrics:
 *       {@value #METRIC_PREFIX}{@code <name>} ({@code MetadataDoubleValue}).</li>
 *   <li>the source run: {@value #SOURCE_RUN} = {@code {"system","connection","kind","nativeId","url"}} as JSON
 *       text.</li>
 *   <li>the version it was copied from, when created from another tool's version: {@value #SOURCE_REF} = that
 *       version's {@code ResourceRef.key()}.</li>
 *   <li>the artifact's digest: {@value #DIGEST} on the model artifact, {@code <algorithm>:<value>}
 *       ({@code SHA_256:9f…}).</li>
 * </ul>
 * Keys starting with {@value #RESERVED} are the connector's; a tag with such a key is refused.
 */
final class RegistryMapper {

    static final String SYSTEM = "kubeflow-model-registry";
    static final String RESERVED = "switchboard.";
    static final String ALIAS_PREFIX = "switchboard.alias.";
    static final String PARAM_PREFIX = "switchboard.param.";
    static final String METRIC_PREFIX = "switchboard.metric.";
    static final String SOURCE_RUN = "switchboard.source_run";
    static final String DIGEST = "switchboard.digest";
    /** The key of the version a sync job copied from ({@code ResourceRef.key()}), for {@code findByExternalRef}. */
    static final String SOURCE_REF = "switchboard.source_ref";

    static final String STRING = "MetadataStringValue";
    static final String INT = "MetadataIntValue";
    static final String DOUBLE = "MetadataDoubleValue";
    static final String BOOL = "MetadataBoolValue";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String connection;
    /** The key a string value is written under: {@code string_value}; tests of the kit's proof use another. */
    private final String stringKey;

    RegistryMapper(String connection) {
        this(connection, "string_value");
    }

    RegistryMapper(String connection, String stringKey) {
        this.connection = connection;
        this.stringKey = stringKey;
    }

    // ---------------------------------------------------------------- typed values

    ObjectNode stringValue(String value) {
        ObjectNode node = JSON.createObjectNode();
        node.put("metadataType", STRING);
        node.put(stringKey, value);
        return node;
    }

    static ObjectNode doubleValue(double value) {
        ObjectNode node = JSON.createObjectNode();
        node.put("metadataType", DOUBLE);
        node.put("double_value", value);
        return node;
    }

    /** The text of a scalar typed value, or {@code null} for struct, proto and unknown types. */
    static String scalar(JsonNode value) {
        return switch (value.path("metadataType").asString("")) {
            case STRING -> value.path("string_value").asString(null);
            case INT -> value.path("int_value").asString(null);
            case DOUBLE -> value.path("double_value").isNumber()
                    ? Double.toString(value.path("double_value").asDouble()) : null;
            case BOOL -> value.path("bool_value").isBoolean()
                    ? Boolean.toString(value.path("bool_value").asBoolean()) : null;
            default -> null;
        };
    }

    /** Tags: every scalar custom property outside the reserved prefix. */
    static Map<String, String> tags(JsonNode properties) {
        Map<String, String> tags = new TreeMap<>();
        properties.properties().forEach(e -> {
            String text = scalar(e.getValue());
            if (!e.getKey().startsWith(RESERVED) && text != null) {
                tags.put(e.getKey(), text);
            }
        });
        return tags;
    }

    /** A registered model's aliases: alias → version name. */
    static Map<String, String> aliases(JsonNode modelProperties) {
        Map<String, String> aliases = new TreeMap<>();
        modelProperties.properties().forEach(e -> {
            String text = scalar(e.getValue());
            if (e.getKey().startsWith(ALIAS_PREFIX) && text != null) {
                aliases.put(e.getKey().substring(ALIAS_PREFIX.length()), text);
            }
        });
        return aliases;
    }

    /** The custom properties of a new version: tags, params, metrics and the source run. */
    ObjectNode versionProperties(ModelVersion version) {
        ObjectNode props = JSON.createObjectNode();
        version.tags().forEach((k, v) -> props.set(k, stringValue(v)));
        version.params().forEach((k, v) -> props.set(PARAM_PREFIX + k, stringValue(v)));
        version.metrics().forEach((k, v) -> {
            if (Double.isFinite(v)) {
                props.set(METRIC_PREFIX + k, doubleValue(v));
            } else {
                props.set(METRIC_PREFIX + k, stringValue(Double.toString(v)));
            }
        });
        if (version.sourceRun() != null) {
            props.set(SOURCE_RUN, stringValue(refJson(version.sourceRun())));
        }
        ResourceRef ref = version.ref();
        if (ref != null && !(SYSTEM.equals(ref.system()) && connection.equals(ref.connection()))) {
            props.set(SOURCE_REF, stringValue(ref.key()));
        }
        return props;
    }

    ObjectNode tagProperties(Map<String, String> tags) {
        ObjectNode props = JSON.createObjectNode();
        tags.forEach((k, v) -> props.set(k, stringValue(v)));
        return props;
    }

    static String refJson(ResourceRef ref) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("system", ref.system());
        fields.put("connection", ref.connection());
        fields.put("kind", ref.kind());
        fields.put("nativeId", ref.nativeId());
        if (ref.url() != null) {
            fields.put("url", ref.url().toString());
        }
        return JSON.writeValueAsString(fields);
    }

    private static ResourceRef parseRef(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new ResourceRef(n.path("system").asString(), n.path("connection").asString(),
                    n.path("kind").asString(), n.path("nativeId").asString(),
                    n.hasNonNull("url") ? URI.create(n.get("url").asString()) : null);
        } catch (RuntimeException e) {
            return null; // written by someone else: not lineage we can read
        }
    }

    // ---------------------------------------------------------------- entities

    ResourceRef modelRef(String id) {
        return ResourceRef.of(SYSTEM, connection, "registered_model", id);
    }

    ResourceRef versionRef(String id) {
        return ResourceRef.of(SYSTEM, connection, "model_version", id);
    }

    RegisteredModel toModel(JsonNode rm) {
        JsonNode props = rm.path("customProperties");
        return new RegisteredModel(modelRef(rm.path("id").asString()), rm.path("name").asString(),
                rm.path("description").asString(null), tags(props), aliases(props),
                millis(rm.path("createTimeSinceEpoch")), millis(rm.path("lastUpdateTimeSinceEpoch")));
    }

    /**
     * @param rm       the version's registered model (for its name and aliases)
     * @param artifact the version's model artifact, or {@code null}
     */
    ModelVersion toVersion(JsonNode mv, JsonNode rm, JsonNode artifact) {
        JsonNode props = mv.path("customProperties");
        String name = mv.path("name").asString();
        Set<String> aliases = new TreeSet<>();
        aliases(rm.path("customProperties")).forEach((alias, version) -> {
            if (version.equals(name)) {
                aliases.add(alias);
            }
        });
        Map<String, String> params = new TreeMap<>();
        Map<String, Double> metrics = new TreeMap<>();
        props.properties().forEach(e -> {
            String text = scalar(e.getValue());
            if (text == null) {
                return;
            }
            if (e.getKey().startsWith(PARAM_PREFIX)) {
                params.put(e.getKey().substring(PARAM_PREFIX.length()), text);
            } else if (e.getKey().startsWith(METRIC_PREFIX)) {
                try {
                    metrics.put(e.getKey().substring(METRIC_PREFIX.length()), Double.parseDouble(text));
                } catch (NumberFormatException notANumber) {
                    // someone else's property under our prefix: not a metric
                }
            }
        });
        ResourceRef sourceRun = props.has(SOURCE_RUN) ? parseRef(scalar(props.get(SOURCE_RUN))) : null;
        Stage stage = "ARCHIVED".equals(mv.path("state").asString("")) ? Stage.ARCHIVED : Stage.NONE;
        return new ModelVersion(versionRef(mv.path("id").asString()), rm.path("name").asString(), name,
                mv.path("description").asString(null), sourceRun, artifact(artifact), aliases, stage, null,
                tags(props), metrics, params, millis(mv.path("createTimeSinceEpoch")),
                millis(mv.path("lastUpdateTimeSinceEpoch")));
    }

    static ArtifactRef artifact(JsonNode artifact) {
        if (artifact == null || !artifact.hasNonNull("uri")) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(artifact.get("uri").asString());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (uri.getScheme() == null) {
            return null;
        }
        Digest digest = null;
        String text = artifact.path("customProperties").has(DIGEST)
                ? scalar(artifact.path("customProperties").get(DIGEST)) : null;
        if (text != null && text.contains(":")) {
            try {
                digest = new Digest(Digest.Algorithm.valueOf(text.substring(0, text.indexOf(':'))),
                        text.substring(text.indexOf(':') + 1));
            } catch (IllegalArgumentException e) {
                digest = null;
            }
        }
        return new ArtifactRef(uri, null, digest, null);
    }

    static String digestText(Digest digest) {
        return digest.algorithm().name() + ":" + digest.value();
    }

    static Instant millis(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(node.asString()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static long millisOf(JsonNode entity) {
        try {
            return Long.parseLong(entity.path("lastUpdateTimeSinceEpoch").asString("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
