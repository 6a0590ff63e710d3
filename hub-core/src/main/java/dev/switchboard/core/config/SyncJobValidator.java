package dev.switchboard.core.config;

import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.Fidelity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks the sync jobs of a {@link HubConfig} against its connections and returns every problem, each with its
 * path ({@code sync-jobs.<name>.source}). Problems of the connections themselves are {@link ConfigValidator}'s.
 */
public final class SyncJobValidator {

    private static final Pattern JOB_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final ConnectorRegistry connectors;

    public SyncJobValidator(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    public List<ConfigProblem> validate(HubConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        config.syncJobs().forEach((key, job) -> problems.addAll(validate(config, key, job)));
        return problems;
    }

    private List<ConfigProblem> validate(HubConfig config, String key, SyncJobSpec job) {
        List<ConfigProblem> problems = new ArrayList<>();
        SyncJobSpec spec = job.name() == null || !job.name().equals(key)
                ? new SyncJobSpec(key, job.source(), job.target(), job.selection(), job.mapping(), job.artifacts(),
                job.trigger(), job.pageSize())
                : job;
        if (!JOB_NAME.matcher(key).matches()) {
            problems.add(new ConfigProblem(spec.path(null), "sync job names must be lower-case letters, digits and "
                    + "dashes (at most 64), was \"" + key + "\""));
        }
        Optional<Connector> source = registryConnector(config, spec, "source", spec.source(), problems);
        Optional<Connector> target = registryConnector(config, spec, "target", spec.target(), problems);
        if (spec.source() != null && spec.source().equals(spec.target())) {
            problems.add(new ConfigProblem(spec.path("target"), "must differ from the source, was \""
                    + spec.target() + "\" for both"));
        }
        if (spec.pageSize() < 1) {
            problems.add(new ConfigProblem(spec.path("page-size"), "must be at least 1, was " + spec.pageSize()));
        }
        for (int i = 0; i < spec.selection().models().size(); i++) {
            try {
                ModelGlob.compile(spec.selection().models().get(i));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(spec.path("selection.models[" + i + "]"), e.getMessage()));
            }
        }
        validateMapping(spec, target.map(Connector::fidelity), problems);
        validateArtifacts(config, spec, problems);
        validateTrigger(spec, problems);
        return problems;
    }

    private Optional<Connector> registryConnector(HubConfig config, SyncJobSpec spec, String role, String connection,
                                                  List<ConfigProblem> problems) {
        if (connection == null || connection.isBlank()) {
            problems.add(new ConfigProblem(spec.path(role), "is required: the name of a configured connection"));
            return Optional.empty();
        }
        HubConfig.ConnectionSpec connectionSpec = config.connections().get(connection);
        if (connectionSpec == null) {
            problems.add(new ConfigProblem(spec.path(role), "unknown connection \"" + connection + "\"; configured: "
                    + (config.connections().isEmpty() ? "(none)" : String.join(", ", config.connections().keySet()))));
            return Optional.empty();
        }
        Optional<Connector> connector = Optional.ofNullable(connectionSpec.type()).flatMap(connectors::find);
        connector.filter(c -> !c.capabilities().contains(Capability.MODEL_REGISTRY)).ifPresent(c ->
                problems.add(new ConfigProblem(spec.path(role), "connection \"" + connection + "\" (type " + c.type()
                        + ") has no model registry; a sync job needs one on both sides")));
        return connector.filter(c -> c.capabilities().contains(Capability.MODEL_REGISTRY));
    }

    private static void validateMapping(SyncJobSpec spec, Optional<Fidelity> target, List<ConfigProblem> problems) {
        SyncJobSpec.FieldMapping mapping = spec.mapping();
        boolean mapsApproval = !mapping.aliasApproval().isEmpty() || !mapping.stageApproval().isEmpty()
                || mapping.defaultApproval() != null;
        if (mapsApproval && target.isPresent() && !target.get().supports(Fidelity.Field.APPROVAL)) {
            problems.add(new ConfigProblem(spec.path("mapping"), "maps to an approval status, but target \""
                    + spec.target() + "\" cannot hold approval"));
        }
        if (!mapping.approvalStage().isEmpty() && target.isPresent() && !target.get().supports(Fidelity.Field.STAGE)) {
            problems.add(new ConfigProblem(spec.path("mapping.approval-stage"), "maps to a stage, but target \""
                    + spec.target() + "\" cannot hold stages"));
        } else if (target.isPresent()) {
            mapping.approvalStage().forEach((approval, stage) -> {
                if (!target.get().holdsStage(stage)) {
                    problems.add(new ConfigProblem(spec.path("mapping.approval-stage." + approval), "maps to stage "
                            + stage + ", but target \"" + spec.target() + "\" holds only "
                            + new TreeSet<>(target.get().stages())));
                }
            });
        }
        mapping.tagRenames().forEach((from, to) -> {
            if (to == null || to.isBlank()) {
                problems.add(new ConfigProblem(spec.path("mapping.tag-renames." + from), "must name the target tag"));
            } else if (to.startsWith("switchboard.")) {
                problems.add(new ConfigProblem(spec.path("mapping.tag-renames." + from), "must not rename to \"" + to
                        + "\": tags starting with switchboard. are reserved for the hub"));
            }
        });
    }

    private void validateArtifacts(HubConfig config, SyncJobSpec spec, List<ConfigProblem> problems) {
        SyncJobSpec.ArtifactPolicy policy = spec.artifacts();
        if (policy.mode() != SyncJobSpec.ArtifactPolicy.Mode.COPY) {
            if (policy.copyTo() != null) {
                problems.add(new ConfigProblem(spec.path("artifacts.copy-to"), "is only used with mode copy"));
            }
            return;
        }
        URI copyTo = policy.copyTo();
        if (copyTo == null) {
            problems.add(new ConfigProblem(spec.path("artifacts.copy-to"),
                    "is required with mode copy: the URI prefix of the store to copy artifacts to"));
        } else if (copyTo.getScheme() == null) {
            problems.add(new ConfigProblem(spec.path("artifacts.copy-to"),
                    "must be an absolute URI with a scheme, was \"" + copyTo + "\""));
        }
        boolean anyStore = config.connections().values().stream()
                .map(HubConfig.ConnectionSpec::type)
                .flatMap(type -> type == null ? java.util.stream.Stream.empty() : connectors.find(type).stream())
                .anyMatch(c -> c.capabilities().contains(Capability.ARTIFACT_STORE));
        if (!anyStore) {
            problems.add(new ConfigProblem(spec.path("artifacts.mode"),
                    "copy needs a connection with an artifact store, and none is configured"));
        }
    }

    private static void validateTrigger(SyncJobSpec spec, List<ConfigProblem> problems) {
        Duration interval = spec.trigger().interval();
        if (interval != null && interval.compareTo(MIN_INTERVAL) < 0) {
            problems.add(new ConfigProblem(spec.path("trigger.interval"), "must be at least 1s, was " + interval));
        }
        for (String event : spec.trigger().events().stream().sorted().toList()) {
            try {
                EventType.of(event);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(spec.path("trigger.events"), e.getMessage()));
            }
        }
    }
}
