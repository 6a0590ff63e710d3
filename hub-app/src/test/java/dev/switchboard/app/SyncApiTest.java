package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.app.cli.CliTest;
import dev.switchboard.client.ApiClient;
import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.DeadLettersApi;
import dev.switchboard.client.api.SyncApi;
import dev.switchboard.client.model.DeadLetter;
import dev.switchboard.client.model.DeadLetterStage;
import dev.switchboard.client.model.SyncOutcome;
import dev.switchboard.client.model.SyncReport;
import dev.switchboard.client.model.SyncRun;
import dev.switchboard.core.testing.InMemoryRegistry;
import dev.switchboard.core.testing.InMemoryRegistryConnector;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** Sync jobs declared in switchboard.yaml, planned and applied through the REST API (generated client) and the CLI. */
class SyncApiTest {

    private static final String TOKEN = "sync-api-token";
    private static final String REFUSAL = "ValidationException: a fraud model needs an approval";

    @TempDir
    static Path directory;

    private static ConfigurableApplicationContext hub;
    private static ApiClient client;
    private static String url;

    @BeforeAll
    static void startHub() throws Exception {
        InMemoryRegistryConnector.reset();
        InMemoryRegistry source = InMemoryRegistryConnector.registry("registry-a");
        for (int i = 1; i <= 3; i++) {
            addVersion(source, "churn", i);
        }
        addVersion(source, "fraud", 1);
        InMemoryRegistryConnector.registry("registry-refusing").refuseVersions(v -> v.modelName().equals("fraud"),
                REFUSAL);
        hub = HubRunner.start(directory, """
                switchboard:
                  api:
                    token: %s
                  connections:
                    registry-a:
                      type: in-memory-registry
                    registry-b:
                      type: in-memory-registry
                    registry-c:
                      type: in-memory-registry
                    registry-refusing:
                      type: in-memory-registry
                    registry-slow:
                      type: in-memory-registry
                      options:
                        write-delay: 700ms
                  sync-jobs:
                    a-to-b:
                      source: registry-a
                      target: registry-b
                      selection:
                        models: ["churn*"]
                      trigger:
                        events: [model_version.created]
                    a-to-c:
                      source: registry-a
                      target: registry-c
                    a-to-refusing:
                      source: registry-a
                      target: registry-refusing
                    a-to-slow:
                      source: registry-a
                      target: registry-slow
                      page-size: 1
                """.formatted(TOKEN), null);
        url = HubRunner.url(hub);
        client = HubRunner.client(hub, TOKEN);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void planWritesNothingApplyCarriesTheSelectionAndAReRunIsUnchanged() throws Exception {
        SyncApi sync = new SyncApi(client);
        InMemoryRegistry target = InMemoryRegistryConnector.registry("registry-b");

        assertThat(sync.listSyncJobs(null, null).getItems()).filteredOn(job -> job.getName().equals("a-to-b"))
                .singleElement().satisfies(job -> {
            assertThat(job.getName()).isEqualTo("a-to-b");
            assertThat(job.getEvents()).containsExactly("model_version.created");
        });
        SyncReport plan = sync.planSync("a-to-b", "full");
        assertThat(target.writes()).isZero();
        assertThat(plan.getRun().getMode()).isEqualTo(SyncRun.ModeEnum.PLAN);
        assertThat(plan.getOutcomes()).extracting(SyncOutcome::getOutcome).containsOnly(SyncOutcome.OutcomeEnum.CREATED);
        assertThat(plan.getNotSelected().getCount()).isEqualTo(1);
        assertThat(plan.getNotSelected().getSummary())
                .isEqualTo("1 version(s) not selected (1 model matches none of [churn*])");

        SyncReport applied = sync.applySync("a-to-b", "full", true);
        SyncReport again = sync.applySync("a-to-b", "full", true);

        assertThat(applied.getRun().getStatus()).isEqualTo(SyncRun.StatusEnum.COMPLETED);
        assertThat(applied.getRun().getCreated()).isEqualTo(3);
        assertThat(applied.getRun().getSkipped()).as("the versions not selected still count as skipped").isEqualTo(1);
        assertThat(applied.getOutcomes()).hasSize(3);
        assertThat(sync.getSyncRun(applied.getRun().getId(), true).getOutcomes())
                .filteredOn(o -> o.getOutcome() == SyncOutcome.OutcomeEnum.SKIPPED)
                .singleElement().satisfies(o -> assertThat(o.getReason()).contains("fraud"));
        assertThat(target.versionCount()).isEqualTo(3);
        assertThat(again.getRun().getUnchanged()).isEqualTo(3);
        assertThat(again.getRun().getCreated() + again.getRun().getUpdated()).isZero();
        assertThat(sync.getSyncRun(applied.getRun().getId(), null).getOutcomes()).hasSize(applied.getOutcomes().size());
        assertThat(sync.listSyncRuns("a-to-b", null, 50).getItems()).extracting(SyncRun::getId)
                .contains(plan.getRun().getId(), applied.getRun().getId(), again.getRun().getId());
    }

    @Test
    void anApplyAnswersAtOnceReportsItsProgressAndRefusesAnOverlappingRun() throws Exception {
        SyncApi sync = new SyncApi(client);

        SyncReport started = sync.applySync("a-to-slow", "full", null);
        String id = started.getRun().getId();
        SyncRun midway = await().atMost(Duration.ofSeconds(20)).until(() -> sync.getSyncRun(id, null).getRun(),
                run -> run.getStatus() != SyncRun.StatusEnum.RUNNING || run.getObjectsDone() >= 1);
        ApiException overlapping = catchThrowableOfType(ApiException.class,
                () -> sync.applySync("a-to-slow", "full", null));
        CliTest.Run watched = CliTest.cli("sync", "runs", "a-to-slow", "--watch", "--watch-count", "2",
                "--interval", "10ms", "--url", url, "--token", TOKEN);
        SyncReport done = await().atMost(Duration.ofSeconds(30)).until(() -> sync.getSyncRun(id, null),
                report -> report.getRun().getStatus() != SyncRun.StatusEnum.RUNNING);

        assertThat(started.getRun().getStatus()).isEqualTo(SyncRun.StatusEnum.RUNNING);
        assertThat(started.getOutcomes()).isEmpty();
        assertThat(midway.getStatus()).as("the run ended before its progress could be seen")
                .isEqualTo(SyncRun.StatusEnum.RUNNING);
        assertThat(midway.getObjectsTotal()).isEqualTo(4);
        assertThat(overlapping.getCode()).isEqualTo(409);
        assertThat(overlapping.getResponseBody()).contains("sync job a-to-slow is running already (run " + id);
        assertThat(watched.out()).contains(id).containsPattern("RUNNING +\\d/4");
        assertThat(done.getRun().getStatus()).isEqualTo(SyncRun.StatusEnum.COMPLETED);
        assertThat(done.getRun().getObjectsDone()).isEqualTo(4);
        assertThat(done.getRun().getObjectsTotal()).isEqualTo(4);
        assertThat(done.getRun().getObjectsPerSecond()).isPositive();
        assertThat(done.getOutcomes()).hasSize(4);
    }

    @Test
    void unknownJobsRunsAndScopesAreProblems() {
        SyncApi sync = new SyncApi(client);
        assertThat(catchThrowableOfType(ApiException.class, () -> sync.planSync("nope", null)).getCode()).isEqualTo(404);
        assertThat(catchThrowableOfType(ApiException.class, () -> sync.getSyncRun("nope", null)).getCode()).isEqualTo(404);
        ApiException badScope = catchThrowableOfType(ApiException.class, () -> sync.applySync("a-to-b", "everything", null));
        assertThat(badScope.getCode()).isEqualTo(400);
        assertThat(badScope.getResponseBody()).contains("scope must be incremental or full");
    }

    @Test
    void theCliPlansAndAppliesWithATableOrJson() {
        CliTest.Run plan = CliTest.cli("sync", "plan", "a-to-c", "--full", "--url", url, "--token", TOKEN);
        CliTest.Run apply = CliTest.cli("sync", "apply", "a-to-c", "--url", url, "--token", TOKEN, "--json");
        CliTest.Run missing = CliTest.cli("sync", "apply", "nope", "--url", url, "--token", TOKEN);

        assertThat(plan.code()).isZero();
        assertThat(plan.out()).contains("OBJECT").contains("OUTCOME").contains("PLAN a-to-c");
        assertThat(plan.err()).contains("plan a-to-c (full)...");
        assertThat(apply.code()).isZero();
        assertThat(apply.out()).contains("\"mode\" : \"APPLY\"").contains("\"created\" : 4");
        assertThat(InMemoryRegistryConnector.registry("registry-c").versionCount()).isEqualTo(4);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("HTTP 404: no sync job named nope");
    }

    @Test
    void aRefusedObjectIsADeadLetterListedAndReplayedThroughTheApiAndTheCli() throws Exception {
        SyncApi sync = new SyncApi(client);
        DeadLettersApi dlq = new DeadLettersApi(client);

        SyncReport failing = sync.applySync("a-to-refusing", "full", true);
        DeadLetter deadLetter = dlq.listDeadLetters(null, DeadLetterStage.SYNC, null, null, true, null, 10).getItems()
                .stream().filter(d -> "a-to-refusing".equals(d.getSyncJob())).findFirst().orElseThrow();
        CliTest.Run listed = CliTest.cli("dlq", "list", "--connection", "registry-refusing", "--url", url,
                "--token", TOKEN);

        assertThat(failing.getRun().getStatus()).isEqualTo(SyncRun.StatusEnum.COMPLETED_WITH_FAILURES);
        assertThat(failing.getRun().getFailed()).isEqualTo(1);
        assertThat(deadLetter.getStage()).isEqualTo(DeadLetterStage.SYNC);
        assertThat(deadLetter.getConnection()).isEqualTo("registry-refusing");
        assertThat(deadLetter.getAction()).isEqualTo("sync/a-to-refusing");
        assertThat(deadLetter.getSyncRunId()).isEqualTo(failing.getRun().getId());
        assertThat(deadLetter.getObjectKey()).startsWith("registry-a:model_version:fraud");
        assertThat(deadLetter.getReason()).contains(REFUSAL);
        assertThat(listed.code()).isZero();
        assertThat(listed.out()).contains("sync").contains("sync/a-to-refusing").contains(deadLetter.getObjectKey())
                .contains(REFUSAL);

        InMemoryRegistry target = InMemoryRegistryConnector.registry("registry-refusing");
        target.refuseVersions(null, null);
        CliTest.Run replayed = CliTest.cli("dlq", "replay", String.valueOf(deadLetter.getId()), "--url", url,
                "--token", TOKEN);
        ApiException second = catchThrowableOfType(ApiException.class, () -> dlq.replayDeadLetter(deadLetter.getId()));

        assertThat(replayed.code()).isZero();
        assertThat(replayed.out()).contains("REPLAYED");
        assertThat(second.getCode()).isEqualTo(409);
        assertThat(target.versionCount()).isEqualTo(4);
        assertThat(dlq.getDeadLetter(deadLetter.getId()).getDeadLetter().getOpen()).isFalse();
    }

    /** Adds version {@code n} of {@code model}, with an artifact, to the in-memory registry {@code registry-a}. */
    static void addVersion(InMemoryRegistry registry, String model, int n) {
        URI artifact = URI.create("mem://registry-a/" + model + "/" + n + "/model.bin");
        registry.putArtifact(artifact, ("weights " + model + n).getBytes(StandardCharsets.UTF_8));
        registry.createVersion(new ModelVersion(ResourceRef.of(InMemoryRegistry.SYSTEM, "registry-a", "model_version",
                model + "/new"), model, "new", "v" + n, null, ArtifactRef.of(artifact), Set.of(), null, null,
                Map.of("n", String.valueOf(n)), null, null, null, null), "seed-" + model + "-" + n);
    }
}
