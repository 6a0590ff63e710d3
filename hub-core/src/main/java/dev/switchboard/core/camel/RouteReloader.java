package dev.switchboard.core.camel;

import dev.switchboard.core.store.RouteExecutions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Camel context's routes in step with the route files of a directory, while the context runs: the files are
 * loaded once at start ({@link #loadAll()}) and then again whenever {@link #reload()} finds them changed. A reload
 * checks the whole new set of files with the {@link RouteValidator} first (the check {@code switchboard validate}
 * and start-up make), and changes nothing when it finds a problem. Otherwise only the files that changed are
 * swapped: their old routes are stopped and removed, their new ones loaded and started; routes of unchanged files
 * go on untouched.
 *
 * <p>A route's place in the inbox is its {@linkplain RouteExecutions subscription and executions}, kept by route id:
 * a route replaced under the same id keeps them (events already routed are not run again, events appended after the
 * change run through the new definition, and executions still pending run through it too). A route whose id is gone
 * from every file is unsubscribed: it gets no executions for new events, and those it had keep their outcomes.
 *
 * <p>Thread-safe: loads and reloads are serialised.
 */
public final class RouteReloader {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);

    /**
     * What a reload did.
     *
     * @param problems every problem of the new files; when there is one, nothing was changed
     * @param added    ids of routes that are new
     * @param replaced ids of routes reloaded from a changed file (same id, possibly a new definition)
     * @param removed  ids of routes that are gone, and unsubscribed
     */
    public record Outcome(List<String> problems, Set<String> added, Set<String> replaced, Set<String> removed) {

        public Outcome {
            problems = List.copyOf(problems);
            added = Collections.unmodifiableSet(new TreeSet<>(added));
            replaced = Collections.unmodifiableSet(new TreeSet<>(replaced));
            removed = Collections.unmodifiableSet(new TreeSet<>(removed));
        }

        /** Whether the new files were taken (possibly with nothing to change). */
        public boolean applied() {
            return problems.isEmpty();
        }

        /** Whether any route was added, replaced or removed. */
        public boolean changed() {
            return !added.isEmpty() || !replaced.isEmpty() || !removed.isEmpty();
        }
    }

    /** A file as loaded: its text and the route definitions it produced. */
    private record Loaded(String text, List<RouteDefinition> routes) {

        Set<String> ids() {
            Set<String> ids = new TreeSet<>();
            // Before the context starts, a route without an id has none yet (Camel names it then).
            routes.stream().map(RouteDefinition::getRouteId).filter(Objects::nonNull).forEach(ids::add);
            return ids;
        }
    }

    private final CamelContext camel;
    private final RouteValidator validator;
    private final Path directory;
    private final RouteExecutions executions;
    private final Map<Path, Loaded> loaded = new LinkedHashMap<>();

    /**
     * @param executions where removed routes are unsubscribed
     */
    public RouteReloader(CamelContext camel, RouteValidator validator, Path directory, RouteExecutions executions) {
        this.camel = Objects.requireNonNull(camel);
        this.validator = Objects.requireNonNull(validator);
        this.directory = Objects.requireNonNull(directory);
        this.executions = Objects.requireNonNull(executions);
    }

    public Path directory() {
        return directory;
    }

    /**
     * Checks and loads every route file of the directory (at start, before or after the context starts).
     *
     * @return the problems found; when there is one, nothing was loaded
     */
    public synchronized Outcome loadAll() {
        return reload();
    }

    /**
     * Reads the directory again and, when its files differ from those loaded, checks them all and swaps the changed
     * ones. A run that finds nothing changed changes nothing and reports nothing.
     */
    public synchronized Outcome reload() {
        if (!Files.isDirectory(directory)) {
            // Gone for a moment (a checkout, a move) is not "every route removed": nothing changes.
            return new Outcome(List.of("routes.directory: does not exist: \"" + directory.toAbsolutePath() + "\""),
                    Set.of(), Set.of(), Set.of());
        }
        Map<Path, String> now = read();
        List<Path> changed = new ArrayList<>();
        List<Path> gone = new ArrayList<>();
        loaded.forEach((file, was) -> {
            if (!now.containsKey(file)) {
                gone.add(file);
            } else if (!now.get(file).equals(was.text())) {
                changed.add(file);
            }
        });
        List<Path> fresh = now.keySet().stream().filter(file -> !loaded.containsKey(file)).toList();
        if (changed.isEmpty() && gone.isEmpty() && fresh.isEmpty()) {
            return new Outcome(List.of(), Set.of(), Set.of(), Set.of());
        }
        Map<String, String> byName = new LinkedHashMap<>();
        now.forEach((file, text) -> byName.put(file.toString(), text));
        List<String> problems = validator.validateAll(byName);
        if (!problems.isEmpty()) {
            return new Outcome(problems, Set.of(), Set.of(), Set.of());
        }
        Set<String> before = new TreeSet<>();
        loaded.values().forEach(file -> before.addAll(file.ids()));
        Set<String> unloaded = new TreeSet<>();
        for (Path file : concat(changed, gone)) {
            Loaded was = loaded.remove(file);
            unloaded.addAll(was.ids());
            try {
                ((ModelCamelContext) camel).removeRouteDefinitions(was.routes());
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the routes of " + file + ": " + e.getMessage(), e);
            }
        }
        Set<String> loadedIds = new TreeSet<>();
        for (Path file : concat(changed, fresh)) {
            Loaded added = load(file, now.get(file));
            loaded.put(file, added);
            loadedIds.addAll(added.ids());
        }
        Set<String> after = new TreeSet<>();
        loaded.values().forEach(file -> after.addAll(file.ids()));
        Set<String> removed = new TreeSet<>(unloaded);
        removed.removeAll(after);
        removed.forEach(executions::unsubscribe);
        Set<String> added = new TreeSet<>(loadedIds);
        added.removeAll(before);
        Set<String> replaced = new TreeSet<>(loadedIds);
        replaced.retainAll(before);
        Outcome outcome = new Outcome(List.of(), added, replaced, removed);
        if (camel.isStarted()) {
            LOG.info("Route files in {} reloaded: added {}, replaced {}, removed {}", directory.toAbsolutePath(),
                    added, replaced, removed);
        }
        return outcome;
    }

    /** The route ids loaded now, by file. */
    public synchronized Map<Path, Set<String>> routes() {
        Map<Path, Set<String>> routes = new LinkedHashMap<>();
        loaded.forEach((file, state) -> routes.put(file, state.ids()));
        return routes;
    }

    private Loaded load(Path file, String text) {
        Map<RouteDefinition, Boolean> before = new IdentityHashMap<>();
        ModelCamelContext model = (ModelCamelContext) camel;
        model.getRouteDefinitions().forEach(definition -> before.put(definition, true));
        RouteFiles.load(camel, file, text);
        List<RouteDefinition> routes = model.getRouteDefinitions().stream()
                .filter(definition -> !before.containsKey(definition)).toList();
        return new Loaded(text, routes);
    }

    private Map<Path, String> read() {
        Map<Path, String> files = new LinkedHashMap<>();
        for (Path file : RouteFiles.list(directory)) {
            files.put(file, RouteFiles.read(file));
        }
        return files;
    }

    private static List<Path> concat(List<Path> first, List<Path> second) {
        List<Path> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }
}
