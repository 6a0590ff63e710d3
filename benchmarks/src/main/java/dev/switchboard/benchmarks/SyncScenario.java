package dev.switchboard.benchmarks;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * B2 sync: {@link SyncService} (plain Java, {@link Store} on an H2 file database) copies every version of an
 * in-memory source registry to an empty in-memory target, then re-syncs with nothing changed. The registries count
 * every API call; the baseline is the analytic minimum number of calls the registry API allows for the same work.
 *
 * <p>The source holds {@code models × (versions/models)} versions, each with a description, two tags and an artifact
 * reference; version 1 of each model is in PRODUCTION and the last one carries alias {@code champion}.
 */
final class SyncScenario {

    static final int PAGE_SIZE = 100;

    private SyncScenario() {
    }

    static ScenarioResult run(int versions, int models, int repetitions, Path work) {
        int perModel = versions / models;
        int n = perModel * models;
        int listCalls = ceil(n, PAGE_SIZE);
        // The target API: createVersion carries description, tags and artifact; stage and alias are one call each.
        // A first sync into an empty target needs no reads there: creates carry an idempotency key.
        int minWrites = n + models + models;
        int minFirst = listCalls + minWrites;
        // A re-sync must notice alias moves too, and aliases live on models: one model listing besides the versions.
        int modelLists = ceil(models, PAGE_SIZE);
        ScenarioResult result = new ScenarioResult("B2", "sync",
                "analytic minimum API calls: ⌈versions ÷ page size⌉ source list calls + one create per version + one "
                        + "stage transition and one alias per model (first sync); a no-change re-sync: ⌈changed ÷ page "
                        + "size⌉ (at least 1) version list calls + ⌈models ÷ page size⌉ model list calls (aliases "
                        + "live on models) and 0 writes",
                "`SyncService.apply` between two `in-memory-registry` connections, store on H2 (file), page size "
                        + PAGE_SIZE);
        Metric firstCalls = result.metric(new Metric("first sync: API calls (source + target)", "calls",
                Metric.Goal.AT_MOST, 1.5, "≤ 1.5×"));
        Metric firstWrites = result.metric(Metric.reported("first sync: target writes", "calls"));
        Metric firstReads = result.metric(Metric.reported("first sync: target reads", "calls"));
        Metric reList = result.metric(new Metric("no-change re-sync (incremental): source list calls", "calls",
                Metric.Goal.AT_MOST, 1.05, "≤ 1.05×"));
        Metric reWrites = result.metric(new Metric("no-change re-sync (incremental): target writes", "calls",
                Metric.Goal.NONE, Double.NaN, "0"));
        Metric fullList = result.metric(new Metric("no-change re-sync (full scope): source list calls", "calls",
                Metric.Goal.AT_MOST, 1.05, "≤ 1.05×"));
        Metric fullOther = result.metric(Metric.reported("no-change re-sync (full scope): target calls", "calls"));
        Metric firstTime = result.metric(Metric.reported("first sync: wall time (Switchboard only)", "s"));
        boolean zeroWrites = true;
        for (int rep = 0; rep < repetitions; rep++) {
            InMemoryRegistryConnector.reset();
            InMemoryRegistry source = InMemoryRegistryConnector.registry("src");
            InMemoryRegistry target = InMemoryRegistryConnector.registry("dst");
            seed(source, "src", models, perModel);
            DataSource db = TestDatabases.h2(work.resolve("b2-" + rep));
            ConnectionRegistry connections = null;
            try {
                ConnectorRegistry connectors = ConnectorRegistry.of(List.of(new InMemoryRegistryConnector()));
                Map<String, HubConfig.ConnectionSpec> specs = new LinkedHashMap<>();
                specs.put("src", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE, Map.of()));
                specs.put("dst", new HubConfig.ConnectionSpec(InMemoryRegistryConnector.TYPE, Map.of()));
                connections = ConnectionRegistry.open(new HubConfig(specs, null, null), connectors, Clock.systemUTC());
                Store store = Store.open(db, Clock.systemUTC());
                SyncService service = new SyncService(store, connections,
                        List.of(SyncJobSpec.of("bench", "src", "dst").withPageSize(PAGE_SIZE)), Clock.systemUTC());
                source.resetCounters();
                target.resetCounters();

                long start = System.nanoTime();
                SyncReport first = service.apply("bench");
                double seconds = (System.nanoTime() - start) / 1e9;
                int created = first.outcomes(SyncOutcome.Kind.CREATED).size();
                if (created != n || target.versionCount() != n) {
                    throw new IllegalStateException("first sync created " + created + " of " + n + " versions; "
                            + "target holds " + target.versionCount());
                }
                int sourceReads = source.reads();
                firstCalls.add(minFirst, sourceReads + source.writes() + target.reads() + target.writes());
                firstWrites.add(minWrites, target.writes());
                firstReads.add(0, target.reads());
                firstTime.add(Double.NaN, seconds);

                source.resetCounters();
                target.resetCounters();
                SyncReport again = service.apply("bench");
                reList.add(1 + modelLists, source.reads());
                reWrites.add(0, target.writes());
                zeroWrites &= target.writes() == 0 && again.outcomes(SyncOutcome.Kind.CREATED).isEmpty();

                source.resetCounters();
                target.resetCounters();
                service.apply("bench", SyncService.Scope.FULL);
                fullList.add(listCalls + modelLists, source.reads());
                fullOther.add(0, target.reads() + target.writes());
                zeroWrites &= target.writes() == 0;
                System.out.printf(Locale.ROOT, "B2 rep %d: first %d calls (min %d) in %.1f s; re-sync %d list, "
                                + "%d writes; full re-sync %d list (min %d), %d target calls%n", rep + 1,
                        (int) (double) firstCalls.switchboard.get(rep), minFirst, seconds, (int) (double)
                                reList.switchboard.get(rep), (int) (double) reWrites.switchboard.get(rep),
                        (int) (double) fullList.switchboard.get(rep), listCalls + modelLists,
                        (int) (double) fullOther.switchboard.get(rep));
            } finally {
                if (connections != null) {
                    connections.close();
                }
                TestDatabases.close(db);
            }
        }
        result.note(String.format(Locale.ROOT, "%d versions in %d models (%d each), page size %d: minimum first "
                        + "sync = %d list + %d creates + %d stage + %d alias = %d calls.", n, models, perModel,
                PAGE_SIZE, listCalls, n, models, models, minFirst));
        result.note("No-change re-syncs made " + (zeroWrites ? "0" : "SOME (target missed!)") + " writes.");
        return result;
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Seeds like hub-core's SyncHarness: tags, an artifact, stage on version 1, alias on the last. */
    static void seed(InMemoryRegistry source, String connection, int models, int versionsPerModel) {
        for (int m = 0; m < models; m++) {
            String model = String.format(Locale.ROOT, "model-%03d", m);
            for (int v = 1; v <= versionsPerModel; v++) {
                Map<String, String> tags = Map.of("team", "team-" + (m % 7), "seed", model + "-" + v);
                String id = new TreeMap<>(tags).toString();
                URI artifact = URI.create("mem://" + connection + "/artifacts/" + model + "/"
                        + Integer.toHexString(id.hashCode()) + "/model.bin");
                ModelVersion request = new ModelVersion(ResourceRef.of(InMemoryRegistry.SYSTEM, connection,
                        "model_version", model + "/new"), model, "new", "trained for " + model, null,
                        ArtifactRef.of(artifact), Set.of(), null, null, tags, null, null, null, null);
                source.putArtifact(artifact, ("weights of " + model + " " + id).getBytes(StandardCharsets.UTF_8));
                source.createVersion(request, "seed:" + model + ":" + id);
            }
            source.transitionStage(model, "1", Stage.PRODUCTION);
            source.setAlias(model, "champion", String.valueOf(versionsPerModel));
        }
        source.resetCounters();
    }
}
