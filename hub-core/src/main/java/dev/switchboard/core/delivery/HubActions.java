package dev.switchboard.core.delivery;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ArtifactCopy;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ModelRegistry;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's own actions, which work across connections through their ports and so belong to no connector. Routes
 * name them on the reserved connection {@value #CONNECTION}:
 * <ul>
 *   <li>{@code switchboard:hub/copy-artifact?to=s3://models/${variable.model}/${variable.version}/model.tar.gz} — copies the artifact of
 *       the event's model version (or {@code from}) to {@code to}, each resolved to the connection whose
 *       {@link dev.switchboard.spi.ArtifactStore} serves it, with the hub's one verified copy ({@link ArtifactCopy},
 *       which sync jobs use too). The copy streams and is verified: the target is written with the source's
 *       SHA-256 as the expected digest, so a mismatch leaves nothing at {@code to}. A source that keeps no SHA-256
 *       is read twice, once to compute it and once to copy; a source whose size changed fails the copy. A target
 *       that already holds the same SHA-256 is not written again. Outputs: {@code uri}, {@code sha256},
 *       {@code size}.</li>
 *   <li>{@code switchboard:hub/tag-model-version?connection=mlflow-prod&key=deploy.status} — sets a tag on the
 *       event's model version in that connection's {@link ModelRegistry}; the value is {@code value}, or, for a
 *       CI or pipeline run, its status in lower case ({@code succeeded}).</li>
 * </ul>
 * The event's version is found in its data, or, for a CI run, in its inputs {@code model} and {@code version}.
 */
public final class HubActions implements ActionTarget {

    /** The reserved connection name of the hub's own actions. */
    public static final String CONNECTION = HubConfig.HUB_CONNECTION;
    static final String COPY_ARTIFACT = "copy-artifact";
    static final String TAG_MODEL_VERSION = "tag-model-version";
    /** The hub's own actions and their parameters, for checks that must know them without a connection registry. */
    public static final List<Action> DEFINITIONS = List.of(
            Action.of(COPY_ARTIFACT, "Copies the event's model version artifact (or from) to another artifact store, "
                            + "verified by SHA-256; outputs uri, sha256 and size",
                    Parameter.required("to", "Where to write the copy (s3://models/${variable.model}/${variable.version}/model.tar.gz)"),
                    Parameter.optional("from", "What to copy, instead of the event's model version artifact")),
            Action.of(TAG_MODEL_VERSION, "Sets a tag on the event's model version in a connection's model registry",
                    Parameter.required("connection", "The connection whose model registry holds the version"),
                    Parameter.required("key", "The tag's key"),
                    Parameter.optional("value", "The tag's value; for a CI or pipeline run, its status by default"),
                    Parameter.optional("model", "The model, instead of the event's"),
                    Parameter.optional("version", "The version, instead of the event's")));
    /** The hub's own action names. */
    public static final List<String> ACTIONS = DEFINITIONS.stream().map(Action::name).toList();

    private final ConnectionRegistry connections;
    private final ArtifactCopy artifactCopy;

    public HubActions(ConnectionRegistry connections) {
        this.connections = connections;
        this.artifactCopy = new ArtifactCopy(connections, CONNECTION + "/" + COPY_ARTIFACT);
    }

    @Override
    public Set<String> actions() {
        return Set.copyOf(ACTIONS);
    }

    @Override
    public List<Action> describe() {
        return DEFINITIONS;
    }

    @Override
    public Result perform(Request request) {
        return switch (request.action()) {
            case COPY_ARTIFACT -> copy(request);
            case TAG_MODEL_VERSION -> tag(request);
            default -> throw ConnectorException.configuration(CONNECTION, "unknown action " + request.action()
                    + "; the hub offers " + COPY_ARTIFACT + " and " + TAG_MODEL_VERSION);
        };
    }

    /**
     * The source is read through the connection the event came from when that connection serves the URI
     * ({@code runs:/…} and {@code mlflow-artifacts:/…} are relative to their server); a directory is copied as a
     * tree under {@code to}, and {@code sha256} is then its manifest digest.
     */
    private Result copy(Request request) {
        request.require(CONNECTION, "to");
        URI to = request.artifactUri(CONNECTION, "to").orElseThrow();
        ArtifactRef from = request.artifactUri(CONNECTION, "from").map(ArtifactRef::of)
                .orElseGet(() -> sourceArtifact(request));
        String origin = request.event() == null ? null : request.event().sourceConnection();
        ArtifactCopy.Copied copied = artifactCopy.copy(from.uri(), from.digest(), origin, to);
        Map<String, String> outputs = new java.util.LinkedHashMap<>();
        outputs.put("uri", copied.artifact().uri().toString());
        outputs.put("sha256", copied.artifact().digest().value());
        outputs.put("size", String.valueOf(copied.artifact().size()));
        outputs.put("files", String.valueOf(copied.files().size()));
        outputs.put("directory", String.valueOf(copied.directory()));
        return new Result(null, outputs);
    }

    /**
     * The artifact of the event's model version, with its digest when known: in the event, or read from the registry
     * the event came from.
     */
    private ArtifactRef sourceArtifact(Request request) {
        if (request.event().data() instanceof ModelVersion version && version.artifact() != null) {
            return version.artifact();
        }
        Map<String, String> fields = versionFields(request);
        String connection = request.event().sourceConnection();
        return registry(connection).getVersion(fields.get("model"), fields.get("version"))
                .map(ModelVersion::artifact)
                .orElseThrow(() -> ConnectorException.configuration(CONNECTION, "copy-artifact: version "
                        + fields.get("version") + " of " + fields.get("model") + " in " + connection
                        + " has no artifact; set the parameter from"));
    }

    private Result tag(Request request) {
        String connection = request.require(CONNECTION, "connection");
        String key = request.require(CONNECTION, "key");
        Map<String, String> fields = versionFields(request);
        String model = request.parameters().getOrDefault("model", fields.get("model"));
        String version = request.parameters().getOrDefault("version", fields.get("version"));
        String value = Optional.ofNullable(request.parameters().get("value"))
                .or(() -> runStatus(request)).orElseThrow(() -> ConnectorException.configuration(CONNECTION,
                        "tag-model-version needs parameter value for event " + request.event().type()));
        registry(connection).setVersionTag(model, version, key, value);
        return new Result(null, Map.of("connection", connection, "model", model, "version", version, "key", key,
                "value", value));
    }

    private static Optional<String> runStatus(Request request) {
        Object data = request.event().data();
        if (data instanceof CiRun run) {
            return Optional.of(run.status().name().toLowerCase(Locale.ROOT));
        }
        if (data instanceof PipelineRun run) {
            return Optional.of(run.status().name().toLowerCase(Locale.ROOT));
        }
        return Optional.empty();
    }

    private static Map<String, String> versionFields(Request request) {
        Map<String, String> fields = request.eventFields();
        if (!fields.containsKey("model") || !fields.containsKey("version")) {
            throw ConnectorException.configuration(CONNECTION, "action " + request.action() + " needs an event about "
                    + "a model version (or a run with inputs model and version), was " + request.event().type());
        }
        return fields;
    }

    private ModelRegistry registry(String connection) {
        return connections.get(connection).modelRegistry().orElseThrow(() -> ConnectorException.configuration(
                CONNECTION, "connection " + connection + " has no model registry"));
    }

}
