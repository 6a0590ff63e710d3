package dev.switchboard.app.api;

import dev.switchboard.api.SyncApi;
import dev.switchboard.api.model.FidelityGap;
import dev.switchboard.api.model.NotSelected;
import dev.switchboard.api.model.SyncJob;
import dev.switchboard.api.model.SyncJobPage;
import dev.switchboard.api.model.SyncOutcome;
import dev.switchboard.api.model.SyncReport;
import dev.switchboard.api.model.SyncRun;
import dev.switchboard.api.model.SyncRunPage;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SyncController implements SyncApi {

    private final SyncService sync;

    SyncController(SyncService sync) {
        this.sync = sync;
    }

    @Override
    public ResponseEntity<SyncJobPage> listSyncJobs(String pageToken, Integer size) {
        List<SyncJob> all = sync.jobs().stream()
                .map(job -> new SyncJob(job.name(), job.source(), job.target(), job.trigger().events().stream().sorted().toList())
                        .interval(job.trigger().interval() == null ? null : job.trigger().interval().toString()))
                .toList();
        Pages.Slice<SyncJob> page = Pages.slice(all, pageToken, size);
        return ResponseEntity.ok(new SyncJobPage(page.items()).nextPageToken(page.next()));
    }

    @Override
    public ResponseEntity<SyncReport> planSync(String job, String scope) {
        requireJob(job);
        return ResponseEntity.ok(report(sync.plan(job, scope(scope)), false));
    }

    @Override
    public ResponseEntity<SyncReport> applySync(String job, String scope, Boolean wait) {
        requireJob(job);
        try {
            if (Boolean.TRUE.equals(wait)) {
                return ResponseEntity.ok(report(sync.apply(job, scope(scope)), false));
            }
            dev.switchboard.core.sync.SyncRun started = sync.start(job, scope(scope));
            return ResponseEntity.accepted().body(new SyncReport(run(started), List.of(),
                    new NotSelected(0L, Map.of(), "none yet: the run has just started")));
        } catch (SyncService.RunInProgress e) {
            throw new ApiProblem(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    @Override
    public ResponseEntity<SyncRunPage> listSyncRuns(String job, String pageToken, Integer size) {
        requireJob(job);
        Pages.offset(pageToken); // sync runs page by offset, as an int: checked here, not parsed in the store
        Page<dev.switchboard.core.sync.SyncRun> page = sync.runs(job, new PageRequest(pageToken, Pages.limit(size)));
        return ResponseEntity.ok(new SyncRunPage(page.items().stream().map(this::run).toList())
                .nextPageToken(page.nextPageToken()));
    }

    @Override
    public ResponseEntity<SyncReport> getSyncRun(String id, Boolean all) {
        return ResponseEntity.ok(report(sync.run(id).orElseThrow(() -> ApiProblem.notFound("no sync run with id " + id)),
                Boolean.TRUE.equals(all)));
    }

    private SyncJobSpec requireJob(String job) {
        return sync.jobs().stream().filter(spec -> spec.name().equals(job)).findFirst()
                .orElseThrow(() -> ApiProblem.notFound("no sync job named " + job));
    }

    private static SyncService.Scope scope(String scope) {
        try {
            return SyncService.Scope.valueOf((scope == null ? "incremental" : scope).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("scope must be incremental or full, was \"" + scope + "\"");
        }
    }

    /** The report, the versions the selection left out summarised in one line unless {@code all}. */
    private SyncReport report(dev.switchboard.core.sync.SyncReport report, boolean all) {
        dev.switchboard.core.sync.SyncReport.NotSelected notSelected = report.notSelected();
        return new SyncReport(run(report.run()), (all ? report.outcomes() : report.selectedOutcomes()).stream()
                .map(outcome -> new SyncOutcome(outcome.objectKey(),
                        SyncOutcome.OutcomeEnum.fromValue(outcome.kind().name()), outcome.fidelity().stream()
                        .map(gap -> new FidelityGap(gap.field().name(), gap.detail())).toList())
                        .reason(outcome.reason())).toList(),
                new NotSelected(notSelected.count(), notSelected.byReason(), notSelected.describe()));
    }

    private SyncRun run(dev.switchboard.core.sync.SyncRun run) {
        SyncRun mapped = new SyncRun()
                .id(run.id()).job(run.job())
                .mode(SyncRun.ModeEnum.fromValue(run.mode().name()))
                .status(SyncRun.StatusEnum.fromValue(run.status().name()))
                .startedAt(ApiModels.time(run.startedAt())).finishedAt(ApiModels.time(run.finishedAt()))
                .created(run.created()).updated(run.updated()).unchanged(run.unchanged())
                .skipped(run.skipped()).failed(run.failed()).error(run.error());
        sync.progress(run.id()).ifPresent(progress -> mapped.objectsDone(progress.done())
                .objectsTotal(progress.total()).objectsPerSecond(Math.round(progress.perSecond() * 10) / 10.0));
        return mapped;
    }
}
