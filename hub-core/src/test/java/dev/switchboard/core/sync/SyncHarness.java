package dev.switchboard.core.sync;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A hub with in-memory registry connections on one database: {@link #restart} opens a fresh store, connections and
 * {@link SyncService} on the same database and registries, as a restarted hub would.
 */
final class SyncHarness implements AutoCloseable {

    /** The connector type of targets that hold what SageMaker holds. */
    static final String SAGEMAKER_LIKE = "sagemaker-like";

    private static final java.util.concurrent.atomic.AtomicInteger CLEAN_RUNS =
            new java.util.concurrent.atomic.AtomicInteger();

    private final DataSource dataSource;
    private final Map<String, String> connectionTypes = new LinkedHashMap<>();
    private final List<SyncJobSpec> jobs = new ArrayList<>();
    private ConnectionRegistry connections;
    private Store store;
    private SyncService service;

    private SyncHarness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A hub on {@code dataSource}, with every in-memory registry forgotten. */
    static SyncHarness fresh(DataSource dataSource) {
        InMemoryRegistryConnector.reset();
        return new SyncHarness(dataSource);
    }

    SyncHarness connection(String name, String type) {
        connectionTypes.put(name, type);
        return this;
    }

    SyncHarness job(SyncJobSpec job) {
        jobs.add(job);
        return this;
    }

    /** Opens (or re-opens) the store, the connections and the service. */
    SyncService restart() {
        if (service != null) {
            service.close();
        }
        if (connections != null) {
            connections.close();
        }
        ConnectorRegistry connectors = ConnectorRegistry.of(List.of(new InMemoryRegistryConnector(),
                InMemoryRegistryConnector.withFidelity(SAGEMAKER_LIKE, InMemoryRegistryConnector.SAGEMAKER_LIKE)));
        Map<String, HubConfig.ConnectionSpec> specs = new LinkedHashMap<>();
        connectionTypes.forEach((name, type) -> specs.put(name, new HubConfig.ConnectionSpec(type, Map.of())));
        HubConfig config = new HubConfig(specs, null, null);
        connections = ConnectionRegistry.open(config, connectors, Clock.systemUTC());
        store = Store.open(dataSource, Clock.systemUTC());
        service = new SyncService(store, connections, jobs, Clock.systemUTC());
        return service;
    }

    /**
     * Another hub instance on the same database and connections: its own store on {@code clock}, running as
     * {@code instance} with {@code settings}. The caller closes it.
     */
    SyncService instance(InstanceId instance, SyncService.Settings settings, Clock clock) {
        return instance(instance, settings, clock, java.util.function.UnaryOperator.identity());
    }

    /** {@link #instance(InstanceId, SyncService.Settings, Clock)} on the database as {@code seam} wraps it. */
    SyncService instance(InstanceId instance, SyncService.Settings settings, Clock clock,
                         java.util.function.UnaryOperator<DataSource> seam) {
        if (connections == null) {
            restart();
        }
        return new SyncService(Store.open(seam.apply(dataSource), clock), connections, jobs, instance, settings,
                clock);
    }

    /** The running service, started on first use. */
    SyncService service() {
        return service == null ? restart() : service;
    }

    ConnectionRegistry connections() {
        return connections;
    }

    /**
     * What the target of {@code job} holds after one clean apply of the job's source as it is now, made by a separate
     * hub (its own database in {@code directory}, its own empty target registry).
     */
    List<String> cleanSnapshot(String job, Path directory) {
        SyncJobSpec spec = jobs.stream().filter(j -> j.name().equals(job)).findFirst().orElseThrow();
        String cleanTarget = "clean-" + CLEAN_RUNS.incrementAndGet();
        SyncJobSpec cleanJob = new SyncJobSpec(spec.name(), spec.source(), cleanTarget, spec.selection(),
                spec.mapping(), spec.artifacts(), spec.trigger(), spec.pageSize());
        try (SyncHarness clean = new SyncHarness(TestDatabases.h2(directory.resolve(cleanTarget)))) {
            connectionTypes.forEach(clean::connection);
            clean.connection(cleanTarget, connectionTypes.get(spec.target())).job(cleanJob).restart().apply(job);
            return registry(cleanTarget).snapshot();
        }
    }

    Store store() {
        return store;
    }

    static InMemoryRegistry registry(String connection) {
        return InMemoryRegistryConnector.registry(connection);
    }

    /**
     * Seeds {@code source} with {@code models × versionsPerModel} versions: each with a description, two tags and an
     * artifact; version 1 of each model in PRODUCTION and the last one aliased {@code champion}. Counters are reset.
     */
    static void seed(InMemoryRegistry source, String connection, int models, int versionsPerModel) {
        for (int m = 0; m < models; m++) {
            String model = String.format("model-%03d", m);
            for (int v = 1; v <= versionsPerModel; v++) {
                addVersion(source, connection, model, Map.of("team", "team-" + (m % 7), "seed", model + "-" + v));
            }
            source.transitionStage(model, "1", Stage.PRODUCTION);
            source.setAlias(model, "champion", String.valueOf(versionsPerModel));
        }
        source.resetCounters();
    }

    /** Adds a version the way a user would, and returns it. */
    static ModelVersion addVersion(InMemoryRegistry source, String connection, String model, Map<String, String> tags) {
        String id = new java.util.TreeMap<>(tags).toString();
        URI artifact = URI.create("mem://" + connection + "/artifacts/" + model + "/" + Integer.toHexString(id.hashCode())
                + "/model.bin");
        ModelVersion request = new ModelVersion(ResourceRef.of(InMemoryRegistry.SYSTEM, connection, "model_version",
                model + "/new"), model, "new", "trained for " + model, null, ArtifactRef.of(artifact), Set.of(), null,
                null, tags, null, null, null, null);
        source.putArtifact(artifact, ("weights of " + model + " " + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return source.createVersion(request, "seed:" + model + ":" + id);
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
        if (connections != null) {
            connections.close();
        }
        TestDatabases.close(dataSource);
    }
}
