package dev.switchboard.connector.mlflow;

import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Experiment;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Run;
import dev.switchboard.model.RunStatus;
import dev.switchboard.model.Stage;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Translation between MLflow's objects and canonical records, both ways. Stateless apart from the names. */
public final class MlflowMapper {

    public static final String SYSTEM = "mlflow";
    /** The version tag an idempotency key is recorded in; MLflow itself has no idempotency key. */
    public static final String IDEMPOTENCY_TAG = "switchboard.idempotency-key";
    /** The version tag the canonical ref of the source object (in another tool) is recorded in. */
    public static final String SOURCE_REF_TAG = "switchboard.source-ref";
    /** The version tag a source run on another server is recorded in ({@code run_id} can only name a local run). */
    public static final String SOURCE_RUN_TAG = "switchboard.source-run";

    private final String connection;
    private final URI trackingUrl;

    public MlflowMapper(String connection, URI trackingUrl) {
        this.connection = connection;
        this.trackingUrl = trackingUrl;
    }

    public ResourceRef modelRef(String name) {
        return new ResourceRef(SYSTEM, connection, "registered_model", name, ui("#/models/" + encode(name)));
    }

    public ResourceRef versionRef(String name, String version) {
        return new ResourceRef(SYSTEM, connection, "model_version", name + "/" + version,
                ui("#/models/" + encode(name) + "/versions/" + encode(version)));
    }

    public ResourceRef runRef(String runId) {
        return ResourceRef.of(SYSTEM, connection, "run", runId);
    }

    public RegisteredModel toCanonical(MlflowDtos.RegisteredModel model) {
        Map<String, String> aliases = new LinkedHashMap<>();
        if (model.aliases() != null) {
            model.aliases().forEach(alias -> aliases.put(alias.alias(), alias.version()));
        }
        return new RegisteredModel(modelRef(model.name()), model.name(), emptyToNull(model.description()),
                tags(model.tags()), aliases, instant(model.creationTimestamp()), instant(model.lastUpdatedTimestamp()));
    }

    /**
     * A version without its run's metrics and params (see {@link #withLineage}), with the aliases the answer
     * carries: only {@code model-versions/get} and get-by-alias answers have them (see {@link
     * #toCanonical(MlflowDtos.ModelVersion, Set)}).
     */
    public ModelVersion toCanonical(MlflowDtos.ModelVersion version) {
        return toCanonical(version, version.aliases() == null ? Set.of() : Set.copyOf(version.aliases()));
    }

    /** A version with aliases read elsewhere ({@code registered-models/get}), for answers that lack them. */
    public ModelVersion toCanonical(MlflowDtos.ModelVersion version, Set<String> versionAliases) {
        Set<String> aliases = new TreeSet<>(versionAliases);
        return new ModelVersion(versionRef(version.name(), version.version()), version.name(), version.version(),
                emptyToNull(version.description()), version.runId() == null || version.runId().isBlank() ? null
                        : runRef(version.runId()), artifact(version.source()), aliases, stage(version.currentStage()),
                null, tags(version.tags()), Map.of(), Map.of(), instant(version.creationTimestamp()),
                instant(version.lastUpdatedTimestamp()));
    }

    /** The version with the params and latest metrics of the run that produced it. */
    public ModelVersion withLineage(ModelVersion version, Run run) {
        return new ModelVersion(version.ref(), version.modelName(), version.version(), version.description(),
                version.sourceRun(), version.artifact(), version.aliases(), version.stage(), version.approval(),
                version.tags(), run.metrics(), run.params(), version.createdAt(), version.updatedAt());
    }

    public Experiment toCanonical(MlflowDtos.Experiment experiment) {
        return new Experiment(ResourceRef.of(SYSTEM, connection, "experiment", experiment.experimentId()),
                experiment.name(), uri(experiment.artifactLocation()), tags(experiment.tags()),
                instant(experiment.creationTime()), instant(experiment.lastUpdateTime()));
    }

    public Run toCanonical(MlflowDtos.Run run) {
        MlflowDtos.RunInfo info = run.info();
        MlflowDtos.RunData data = run.data() == null ? new MlflowDtos.RunData(null, null, null) : run.data();
        Map<String, String> params = new LinkedHashMap<>();
        if (data.params() != null) {
            data.params().forEach(p -> params.put(p.key(), p.value() == null ? "" : p.value()));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (data.metrics() != null) {
            data.metrics().stream().filter(m -> m.value() != null).forEach(m -> metrics.put(m.key(), m.value()));
        }
        return new Run(runRef(info.runId()), info.experimentId(), info.runName(), runStatus(info.status()),
                instant(info.startTime()), instant(info.endTime()), params, metrics, tags(data.tags()),
                uri(info.artifactUri()));
    }

    /** The MLflow spelling of a canonical stage, as {@code transition-stage} takes it. */
    public static String stageName(Stage stage) {
        return switch (stage) {
            case NONE -> "None";
            case STAGING -> "Staging";
            case PRODUCTION -> "Production";
            case ARCHIVED -> "Archived";
        };
    }

    public static Stage stage(String mlflowStage) {
        if (mlflowStage == null || mlflowStage.isBlank()) {
            return null;
        }
        return switch (mlflowStage.toLowerCase(Locale.ROOT)) {
            case "staging" -> Stage.STAGING;
            case "production" -> Stage.PRODUCTION;
            case "archived" -> Stage.ARCHIVED;
            default -> Stage.NONE;
        };
    }

    public static RunStatus runStatus(String status) {
        if (status == null) {
            return RunStatus.RUNNING;
        }
        return switch (status) {
            case "SCHEDULED" -> RunStatus.QUEUED;
            case "FINISHED" -> RunStatus.SUCCEEDED;
            case "FAILED" -> RunStatus.FAILED;
            case "KILLED" -> RunStatus.CANCELLED;
            default -> RunStatus.RUNNING;
        };
    }

    /** Canonical tags as MLflow's {@code [{key, value}]}. */
    public static List<Map<String, String>> tagList(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList();
    }

    public static Map<String, String> tags(List<MlflowDtos.Tag> tags) {
        Map<String, String> map = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach(tag -> map.put(tag.key(), tag.value() == null ? "" : tag.value()));
        }
        return map;
    }

    public static Instant instant(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }

    private static ArtifactRef artifact(String source) {
        URI uri = uri(source);
        return uri == null || uri.getScheme() == null ? null : ArtifactRef.of(uri);
    }

    private static URI uri(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null; // a local path with spaces, say: keep the version, drop the unusable location
        }
    }

    private URI ui(String fragmentPath) {
        return URI.create(trackingUrl + "/" + fragmentPath);
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
