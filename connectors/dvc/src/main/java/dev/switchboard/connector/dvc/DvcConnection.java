package dev.switchboard.connector.dvc;

import dev.switchboard.connector.dvc.internal.GitRepository;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import java.time.Duration;
import java.util.Optional;

/** One open DVC connection: the repository, its events and its artifact store. */
final class DvcConnection implements Connection {

    private final DvcOptions.Settings settings;
    private final GitRepository git;
    private final DvcProject project;
    private final DvcEvents events;
    private final DvcArtifactStore store;

    DvcConnection(DvcOptions.Settings settings, ConnectorContext context) {
        this.settings = settings;
        this.git = new GitRepository(settings.repository(), settings.remoteRepository(), settings.cloneDirectory(),
                settings.gitUsername(), settings.token().orElse(null),
                (int) Math.max(1, settings.requestTimeout().toSeconds()));
        this.project = new DvcProject(settings.connection(), settings.branch(), git);
        DvcMapper mapper = new DvcMapper(settings.connection());
        this.events = new DvcEvents(settings.connection(), project, new DvcWebhooks(settings), mapper);
        this.store = new DvcArtifactStore(settings, project, mapper, context.clock());
    }

    /** Data versions at a revision, for tools and tests: every output the DVC files record there. */
    java.util.List<dev.switchboard.model.DataVersion> dataVersions(String revision) {
        String commit = project.resolve(revision).orElseThrow(() -> ConnectorException.configuration(name(),
                "revision " + revision + " is not in the repository"));
        java.time.Instant time = project.io("read " + commit, () -> git.steps(null, commit).get(0).time());
        DvcMapper mapper = new DvcMapper(name());
        return project.outputs(commit).stream().map(out -> mapper.dataVersion(out, commit, time)).toList();
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Reads the branch head and the DVC files there: proves the repository, the token and the branch. */
    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.probe(name(), "Git repository " + settings.repository(), timeout, () -> {
            String head = project.head().orElseThrow(() -> ConnectorException.configuration(name(),
                    "branch " + settings.branch() + " is not in " + settings.repository()));
            project.outputs(head);
        }, "read branch " + settings.branch() + " of " + settings.repository());
    }

    @Override
    public Optional<EventSource> eventSource() {
        return Optional.of(events);
    }

    @Override
    public Optional<ArtifactStore> artifactStore() {
        return Optional.of(store);
    }

    @Override
    public void close() {
        store.close();
        git.close();
    }
}
