package dev.switchboard.app;

import dev.switchboard.core.camel.RouteReloader;
import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.config.SyncJobValidator;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.core.sync.SyncTriggers;
import dev.switchboard.spi.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies changes to the route files and to the sync jobs of the configuration file while the hub runs: when a
 * watched file changes (looked at every {@code switchboard.routes.watch-interval}) and on {@code POST /api/v1/reload}.
 * Everything is checked first, with the validators start-up uses; a reload that finds a problem changes nothing and
 * reports every problem (a WARN line, or the API's problem+json). Routes are swapped by {@link RouteReloader}; sync
 * jobs are replaced in the {@link SyncService} and their triggers rebuilt. Connections and the other settings of the
 * file change only with a restart: a reload that sees them changed says so.
 */
public final class HubReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HubReloader.class);

    /**
     * What a reload did.
     *
     * @param problems every problem found, each with its path or file; when there is one, nothing changed
     * @param routes   what happened to the routes (empty sets when nothing)
     * @param syncJobs the names of the sync jobs added, changed or removed
     * @param notes    what the reload saw but cannot apply (connections changed: a restart applies them)
     */
    public record Result(List<String> problems, RouteReloader.Outcome routes, Set<String> syncJobs,
                         List<String> notes) {

        public boolean applied() {
            return problems.isEmpty();
        }
    }

    private final SyncService sync;
    private final ConnectorRegistry connectors;
    private final ConnectionRegistry connections;
    private final HubConfig started;
    private final Path configFile;
    private final Clock clock;
    private final Duration watchInterval;
    private RouteReloader routes;
    private SyncTriggers triggers;
    private ScheduledExecutorService watcher;
    private Object seen;

    /**
     * @param configFile    the configuration file the hub started with, or null when it has none (sync jobs are then
     *                      never reloaded)
     * @param watchInterval how often to look at the files; zero turns watching off (reloads then come from the API)
     */
    public HubReloader(SyncService sync, ConnectorRegistry connectors, ConnectionRegistry connections,
                       HubConfig started, Path configFile, Clock clock, Duration watchInterval) {
        this.sync = sync;
        this.connectors = connectors;
        this.connections = connections;
        this.started = started;
        this.configFile = configFile;
        this.clock = clock;
        this.watchInterval = Objects.requireNonNull(watchInterval);
    }

    /** The routes to keep in step with their files; set once the Camel context exists. */
    public synchronized void attachRoutes(RouteReloader routes) {
        this.routes = routes;
    }

    /** Starts the sync triggers and, unless turned off, watching the files. */
    public synchronized void start() {
        triggers = new SyncTriggers(sync, clock);
        triggers.start();
        seen = fingerprint();
        if (!watchInterval.isZero() && !watchInterval.isNegative()) {
            watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "switchboard-reload-watch");
                thread.setDaemon(true);
                return thread;
            });
            long millis = watchInterval.toMillis();
            watcher.scheduleWithFixedDelay(this::watch, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        if (triggers != null) {
            triggers.close();
        }
    }

    /** Checks the route files and the configuration file's sync jobs, and applies them if they are valid. */
    public synchronized Result reload() {
        seen = fingerprint();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, SyncJobSpec> jobs = readJobs(problems, notes);
        if (routes != null && problems.isEmpty()) {
            RouteReloader.Outcome routed = routes.reload();
            problems.addAll(routed.problems());
            if (problems.isEmpty()) {
                return new Result(List.of(), routed, replaceJobs(jobs), notes);
            }
        }
        if (problems.isEmpty()) {
            return new Result(List.of(), none(), replaceJobs(jobs), notes);
        }
        return new Result(problems, none(), Set.of(), notes);
    }

    private synchronized void watch() {
        try {
            if (Objects.equals(seen, fingerprint())) {
                return;
            }
            Result result = reload();
            if (!result.applied()) {
                LOG.warn("Reload refused, nothing changed; fix the files and save them again: {}",
                        String.join("; ", result.problems()));
            } else if (!result.syncJobs().isEmpty()) {
                LOG.info("Sync jobs reloaded: {} changed", result.syncJobs());
            }
            result.notes().forEach(note -> LOG.warn("Reload: {}", note));
        } catch (RuntimeException e) {
            LOG.warn("Reload failed: {}", e.getMessage());
        }
    }

    /** The watched files' contents (small): a change in any of them is a change of this value. */
    private Object fingerprint() {
        List<Object> state = new ArrayList<>();
        if (configFile != null) {
            state.add(readQuietly(configFile));
        }
        if (routes != null && Files.isDirectory(routes.directory())) {
            try (var files = Files.list(routes.directory())) {
                files.sorted().forEach(file -> state.add(file + "\n" + readQuietly(file)));
            } catch (IOException e) {
                state.add(e.getMessage());
            }
        }
        return state;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The configuration file's sync jobs, valid, or null (problems then say why) or when there is no file. */
    private Map<String, SyncJobSpec> readJobs(List<String> problems, List<String> notes) {
        if (configFile == null || !Files.isRegularFile(configFile)) {
            return null;
        }
        ConfigFiles.Loaded loaded;
        try {
            loaded = ConfigFiles.read(configFile);
        } catch (RuntimeException e) {
            problems.add(configFile + ": " + e.getMessage());
            return null;
        }
        List<ConfigProblem> found = new ArrayList<>(loaded.problems());
        HubConfig config = loaded.config();
        found.addAll(new SyncJobValidator(connectors).validate(config));
        config.syncJobs().forEach((name, job) -> {
            for (String connection : List.of(job.source(), job.target())) {
                if (connections.find(connection).isEmpty() && config.connections().containsKey(connection)) {
                    found.add(new ConfigProblem("sync-jobs." + name, "connection " + connection + " is not open in "
                            + "this hub yet; connections change only with a restart"));
                }
            }
        });
        found.forEach(problem -> problems.add(problem.path() + ": " + problem.message()));
        if (!config.connections().equals(started.connections())) {
            notes.add("the connections in " + configFile + " differ from those the hub started with; they take "
                    + "effect at the next restart");
        }
        return found.isEmpty() ? config.syncJobs() : null;
    }

    /** Replaces the sync jobs when they differ, rebuilding their triggers; the names of the jobs that changed. */
    private Set<String> replaceJobs(Map<String, SyncJobSpec> jobs) {
        if (jobs == null) {
            return Set.of();
        }
        Map<String, SyncJobSpec> before = new TreeMap<>();
        sync.jobs().forEach(job -> before.put(job.name(), job));
        Set<String> changed = new TreeSet<>();
        jobs.forEach((name, job) -> {
            if (!job.equals(before.get(name))) {
                changed.add(name);
            }
        });
        before.keySet().stream().filter(name -> !jobs.containsKey(name)).forEach(changed::add);
        if (changed.isEmpty()) {
            return changed;
        }
        Collection<SyncJobSpec> replacement = jobs.values();
        sync.replaceJobs(replacement);
        if (triggers != null) {
            triggers.close();
            triggers = new SyncTriggers(sync, clock);
            triggers.start();
        }
        return changed;
    }

    private static RouteReloader.Outcome none() {
        return new RouteReloader.Outcome(List.of(), Set.of(), Set.of(), Set.of());
    }
}
