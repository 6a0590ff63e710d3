package dev.switchboard.core.sync;

import static dev.switchboard.core.sync.SyncHarness.registry;
import static dev.switchboard.core.sync.SyncHarness.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.spi.PageRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hub process killed with SIGKILL in the middle of a sync, several times; a fresh hub then finishes the job. */
class SyncProcessKillTest {

    private static final int VERSIONS = 160;

    @TempDir
    Path directory;

    @Test
    void aHubKilledMidRunSeveralTimesLeavesEachObjectOnceAndAFreshHubEndsLikeACleanRun() throws Exception {
        InMemoryRegistryConnector.reset();
        registry("a").journalTo(directory.resolve("a.json"));
        seed(registry("a"), "a", 8, VERSIONS / 8);
        HikariDataSource dataSource = TestDatabases.postgres();
        try {
            for (int killAt : new int[] {10, 60, 110}) {
                Process hub = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), SyncChildProcess.class.getName(),
                        dataSource.getJdbcUrl(), directory.toString())
                        .redirectErrorStream(true).redirectOutput(directory.resolve("hub-" + killAt + ".log").toFile())
                        .start();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() ->
                        InMemoryRegistry.journaledVersions(directory.resolve("b.json")) >= killAt || !hub.isAlive());
                assertThat(hub.isAlive()).as("killed mid-run, log in " + directory).isTrue();
                hub.destroyForcibly().waitFor();
            }

            InMemoryRegistryConnector.reset();
            registry("a").journalTo(directory.resolve("a.json"));
            try (SyncChildProcess.Hub fresh = SyncChildProcess.Hub.open(Store.open(dataSource, Clock.systemUTC()),
                    directory, null)) {
                SyncReport finished = fresh.sync().apply(SyncChildProcess.JOB);

                InMemoryRegistry target = registry("b");
                assertThat(finished.run().status()).isEqualTo(SyncRun.Status.COMPLETED);
                assertThat(target.versionCount()).isEqualTo(VERSIONS);
                assertThat(registry("a").allVersions()).allSatisfy(v -> assertThat(target.copiesOf(v.ref())).isOne());
                assertThat(fresh.sync().runs(SyncChildProcess.JOB, PageRequest.first(10)).items())
                        .extracting(SyncRun::status).containsExactly(SyncRun.Status.COMPLETED,
                                SyncRun.Status.ABORTED, SyncRun.Status.ABORTED, SyncRun.Status.ABORTED);
                // a killed run's counts are those of the outcomes it recorded before it died
                assertThat(fresh.sync().runs(SyncChildProcess.JOB, PageRequest.first(10)).items())
                        .filteredOn(run -> run.status() == SyncRun.Status.ABORTED).allSatisfy(run -> {
                            SyncReport recorded = fresh.sync().run(run.id()).orElseThrow();
                            assertThat(run.created()).isEqualTo(recorded.outcomes(SyncOutcome.Kind.CREATED).size());
                            assertThat(run.unchanged() + run.updated() + run.skipped() + run.failed()
                                    + run.created()).isEqualTo(recorded.outcomes().size());
                        }).anySatisfy(run -> assertThat(run.created()).isPositive());
                try (SyncHarness clean = SyncHarness.fresh(TestDatabases.h2(directory.resolve("clean")))) {
                    registry("a").journalTo(directory.resolve("a.json"));
                    clean.connection("a", InMemoryRegistryConnector.TYPE).connection("b", InMemoryRegistryConnector.TYPE)
                            .job(dev.switchboard.core.config.SyncJobSpec.of(SyncChildProcess.JOB, "a", "b"));
                    assertThat(target.snapshot()).isEqualTo(clean.cleanSnapshot(SyncChildProcess.JOB, directory));
                }
            }
        } finally {
            TestDatabases.close(dataSource);
        }
    }
}
