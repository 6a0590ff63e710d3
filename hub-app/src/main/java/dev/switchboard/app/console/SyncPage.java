package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.sync.FidelityGap;
import dev.switchboard.core.sync.SyncOutcome;
import dev.switchboard.core.sync.SyncReport;
import dev.switchboard.core.sync.SyncRun;
import dev.switchboard.core.sync.SyncService;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Sync jobs: each job's runs with their counts, a run's per-object outcomes and fidelity report, and the plan and
 * apply buttons. A plan only reads, so it runs while the request waits and the page shows its report; an apply can
 * take long, so it runs in the background and the job's page follows its progress (the run is RUNNING until it ends).
 */
@Controller
class SyncPage implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(SyncPage.class);
    private static final String PATH = BrowserSessions.PATH + "/sync";
    private static final int RUNS = 20;

    private final SyncService sync;
    /** Applies started from the console; SyncService itself serialises applies of one job. */
    private final ExecutorService applies = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "console-sync-apply");
        thread.setDaemon(true);
        return thread;
    });
    /** Why the last apply started from the console failed before it could record a run, per job. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    SyncPage(SyncService sync) {
        this.sync = sync;
    }

    /** An apply still running when the hub stops is interrupted and ends ABORTED; its cursor did not move. */
    @Override
    public void destroy() {
        applies.shutdownNow();
    }

    @GetMapping(PATH)
    ResponseEntity<String> jobs(HttpServletRequest request) {
        return ConsolePage.render(request, "Sync jobs", PATH, html -> {
            html.open("table", "id", "sync-jobs");
            ConsolePage.header(html, "Job", "Source", "Target", "Trigger", "Last run", "");
            html.open("tbody", "id", "sync-job-rows", "data-live", "");
            for (SyncJobSpec job : sync.jobs().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList()) {
                html.open("tr", "data-job", job.name()).open("td").link(PATH + "/" + job.name(), job.name()).close("td")
                        .element("td", job.source()).element("td", job.target()).element("td", trigger(job));
                List<SyncRun> last = sync.runs(job.name(), PageRequest.first(1)).items();
                html.open("td");
                if (!last.isEmpty()) {
                    runState(html, last.get(0));
                    html.text(" ").text(last.get(0).startedAt());
                }
                html.close("td").open("td", "class", "actions");
                buttons(html, request, job.name());
                html.close("td").close("tr");
            }
            if (sync.jobs().isEmpty()) {
                html.open("tr").element("td", "No sync jobs are configured (sync-jobs in switchboard.yaml).",
                        "colspan", "6").close("tr");
            }
            html.close("tbody").close("table");
        });
    }

    @GetMapping(PATH + "/{job}")
    ResponseEntity<String> job(@PathVariable String job, @RequestParam(required = false) String started,
                               HttpServletRequest request) {
        SyncJobSpec spec = find(job);
        if (spec == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Sync job", PATH,
                    html -> ConsolePage.notice(html, "error", "There is no sync job named " + job + "."));
        }
        List<SyncRun> runs = sync.runs(spec.name(), PageRequest.first(RUNS)).items();
        return ConsolePage.render(request, "Sync job " + spec.name(), PATH, html -> {
            if (started != null) {
                ConsolePage.notice(html, "ok", "Apply started; its run appears below and is refreshed until it ends.");
            }
            html.open("dl", "class", "facts");
            EventsPage.fact(html, "Source", spec.source());
            EventsPage.fact(html, "Target", spec.target());
            EventsPage.fact(html, "Trigger", trigger(spec));
            html.close("dl");
            buttons(html, request, spec.name());
            html.element("h2", "Runs");
            html.open("div", "id", "sync-runs", "data-live", "");
            String failure = failures.get(spec.name());
            if (failure != null) {
                ConsolePage.notice(html, "error", "The last apply started here failed: " + failure);
            }
            html.open("table", "id", "runs");
            ConsolePage.header(html, "Run", "Mode", "Status", "Started", "Finished", "Created", "Updated",
                    "Unchanged", "Skipped", "Failed", "Error");
            html.open("tbody");
            for (SyncRun run : runs) {
                html.open("tr", "data-run", run.id()).open("td").link(PATH + "/runs/" + run.id(), run.id()).close("td")
                        .element("td", run.mode().name()).open("td");
                runState(html, run);
                html.close("td").element("td", run.startedAt()).element("td", run.finishedAt())
                        .element("td", run.created()).element("td", run.updated()).element("td", run.unchanged())
                        .element("td", run.skipped()).element("td", run.failed())
                        .element("td", run.error(), "class", "error-text").close("tr");
            }
            if (runs.isEmpty()) {
                html.open("tr").element("td", "This job has not run yet.", "colspan", "11").close("tr");
            }
            html.close("tbody").close("table").close("div");
        });
    }

    @GetMapping(PATH + "/runs/{id}")
    ResponseEntity<String> run(@PathVariable String id, HttpServletRequest request) {
        SyncReport report = sync.run(id).orElse(null);
        if (report == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Sync run", PATH,
                    html -> ConsolePage.notice(html, "error", "There is no sync run with id " + id + "."));
        }
        SyncRun run = report.run();
        return ConsolePage.render(request, (run.mode() == SyncRun.Mode.PLAN ? "Plan " : "Apply ") + run.id(), PATH,
                html -> {
            html.open("div", "id", "run-summary", "data-live", "");
            html.open("dl", "class", "facts");
            html.element("dt", "Job").open("dd").link(PATH + "/" + run.job(), run.job()).close("dd");
            html.element("dt", "Status").open("dd", "id", "run-status");
            runState(html, run);
            html.close("dd");
            EventsPage.fact(html, "Started", run.startedAt());
            EventsPage.fact(html, "Finished", run.finishedAt());
            EventsPage.fact(html, "Objects", run.created() + " created, " + run.updated() + " updated, "
                    + run.unchanged() + " unchanged, " + run.skipped() + " skipped, " + run.failed() + " failed");
            EventsPage.fact(html, "Error", run.error());
            html.close("dl").close("div");
            if (run.mode() == SyncRun.Mode.PLAN) {
                html.element("p", "A plan wrote nothing to the target: it shows what an apply would do now.",
                        "class", "hint");
            }
            html.element("h2", "Objects");
            html.open("table", "id", "sync-outcomes");
            ConsolePage.header(html, "Object", "Outcome", "Reason", "Fidelity: what the target cannot hold");
            html.open("tbody", "id", "sync-outcome-rows", "data-live", "");
            for (SyncOutcome outcome : report.selectedOutcomes()) {
                html.open("tr").element("td", outcome.objectKey()).open("td");
                EventsPage.state(html, outcome.kind().name(), outcome.kind().name(), null);
                html.close("td").element("td", outcome.reason()).open("td");
                if (!outcome.fidelity().isEmpty()) {
                    html.open("ul", "class", "gaps");
                    for (FidelityGap gap : outcome.fidelity()) {
                        html.element("li", gap.field().name() + ": " + gap.detail());
                    }
                    html.close("ul");
                }
                html.close("td").close("tr");
            }
            if (report.selectedOutcomes().isEmpty()) {
                html.open("tr").element("td", "No objects (nothing selected or nothing changed since the last run).",
                        "colspan", "4").close("tr");
            }
            html.close("tbody").close("table");
            if (report.notSelected().count() > 0) {
                html.element("p", report.notSelected().describe(), "class", "hint", "id", "not-selected");
            }
            fidelitySummary(html, report);
        });
    }

    @PostMapping(PATH + "/{job}/plan")
    ResponseEntity<String> plan(@PathVariable String job, @RequestParam(required = false) String scope,
                                HttpServletRequest request) {
        if (find(job) == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Sync job", PATH,
                    html -> ConsolePage.notice(html, "error", "There is no sync job named " + job + "."));
        }
        try {
            SyncReport report = sync.plan(job, scope(scope));
            return ResponseEntity.status(HttpStatus.SEE_OTHER)
                    .header(HttpHeaders.LOCATION, PATH + "/runs/" + report.run().id()).build();
        } catch (ConnectorException e) {
            // The tool failed, not the request; connector messages name the connection and never carry a secret.
            return ConsolePage.render(request, HttpStatus.BAD_GATEWAY, "Sync job " + job, PATH,
                    html -> ConsolePage.notice(html, "error", "The plan failed: " + e.getMessage()));
        }
    }

    @PostMapping(PATH + "/{job}/apply")
    ResponseEntity<String> apply(@PathVariable String job, @RequestParam(required = false) String scope,
                                 HttpServletRequest request) {
        SyncJobSpec spec = find(job);
        if (spec == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Sync job", PATH,
                    html -> ConsolePage.notice(html, "error", "There is no sync job named " + job + "."));
        }
        SyncService.Scope chosen = scope(scope);
        failures.remove(spec.name());
        applies.execute(() -> {
            try {
                sync.apply(spec.name(), chosen);
            } catch (RuntimeException e) {
                LOG.warn("Sync apply of job {} started from the console failed", spec.name(), e);
                failures.put(spec.name(), e instanceof ConnectorException ? e.getMessage()
                        : "the apply stopped with an internal error; the hub's log has the details");
            }
        });
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header(HttpHeaders.LOCATION, PATH + "/" + spec.name() + "?started=apply").build();
    }

    private void buttons(Html html, HttpServletRequest request, String job) {
        ConsolePage.form(html, request, PATH + "/" + job + "/plan", null)
                .open("button", "type", "submit", "class", "plan", "id", "plan-" + job).text("Plan").close("button")
                .close("form");
        ConsolePage.form(html, request, PATH + "/" + job + "/apply",
                        "Apply sync job " + job + "? This writes to its target registry.")
                .open("button", "type", "submit", "class", "apply danger", "id", "apply-" + job).text("Apply")
                .close("button").close("form");
    }

    /** Which fields the target could not hold, counted over the run: the fidelity report in one table. */
    private static void fidelitySummary(Html html, SyncReport report) {
        Map<String, Long> gaps = report.outcomes().stream().flatMap(outcome -> outcome.fidelity().stream())
                .collect(Collectors.groupingBy(gap -> gap.field().name(), java.util.TreeMap::new,
                        Collectors.counting()));
        html.element("h2", "Fidelity report");
        if (gaps.isEmpty()) {
            html.element("p", "The target held every field of every object.", "id", "fidelity-report");
            return;
        }
        html.open("table", "id", "fidelity-report");
        ConsolePage.header(html, "Field", "Objects that lost it");
        html.open("tbody");
        gaps.forEach((field, count) -> html.open("tr").element("td", field).element("td", count).close("tr"));
        html.close("tbody").close("table");
    }

    private static void runState(Html html, SyncRun run) {
        EventsPage.state(html, run.status().name(), run.status().name(), run.error());
    }

    private static String trigger(SyncJobSpec job) {
        StringBuilder text = new StringBuilder();
        if (job.trigger().interval() != null) {
            text.append("every ").append(job.trigger().interval());
        }
        if (!job.trigger().events().isEmpty()) {
            text.append(text.isEmpty() ? "" : "; ").append("on ")
                    .append(String.join(", ", job.trigger().events().stream().sorted().toList()));
        }
        return text.isEmpty() ? "manual" : text.toString();
    }

    private SyncJobSpec find(String job) {
        return sync.jobs().stream().filter(spec -> spec.name().equals(job)).findFirst().orElse(null);
    }

    private static SyncService.Scope scope(String scope) {
        return "full".equals(scope) ? SyncService.Scope.FULL : SyncService.Scope.INCREMENTAL;
    }
}
