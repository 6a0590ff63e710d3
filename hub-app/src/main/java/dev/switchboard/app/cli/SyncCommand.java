package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.SyncApi;
import dev.switchboard.client.model.SyncReport;
import dev.switchboard.client.model.SyncRun;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sync", mixinStandardHelpOptions = true, description = "Plan or apply a sync job on a running hub.",
        subcommands = {SyncCommand.Plan.class, SyncCommand.Apply.class, SyncCommand.ListJobs.class,
                SyncCommand.Runs.class})
final class SyncCommand {

    /** What plan and apply share: the job, the scope, the hub, and how the report is printed. */
    abstract static class JobCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        HubClientOptions hub;

        @Parameters(index = "0", description = "The sync job's name.")
        String job;

        @Option(names = "--all", description = "List every version the job's selection leaves out, one row each, "
                + "instead of one summary line.")
        boolean all;

        @Option(names = "--full", description = "Look at every version, not only those changed since the last run.")
        boolean full;

        abstract SyncReport run(SyncApi api, String scope) throws ApiException;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                err.printf("%s %s (%s)...%n", spec.name(), job, full ? "full" : "incremental");
                SyncApi api = new SyncApi(hub.client());
                SyncReport report = run(api, full ? "full" : "incremental");
                if (all && report.getNotSelected().getCount() > 0) {
                    report = api.getSyncRun(report.getRun().getId(), true);
                }
                if (hub.json) {
                    Output.json(out, report);
                } else {
                    print(out, report, all);
                }
                return report.getRun().getFailed() > 0 ? 1 : 0;
            } catch (ApiException e) {
                err.println("error: " + Output.describe(e));
                return 1;
            }
        }

        /**
         * The report as a table. The hub answers with the versions the selection leaves out ({@code SKIPPED}, "not
         * selected: …") summarised in one line, which is printed unless {@code all} asked for them one row each: a
         * registry of 1,300 versions with 4 selected printed 1,300 rows.
         */
        static void print(PrintWriter out, SyncReport report, boolean all) {
            Output.table(out, List.of("OBJECT", "OUTCOME", "REASON", "NOT CARRIED"), report.getOutcomes().stream()
                    .map(o -> List.of(o.getObjectKey(), o.getOutcome().getValue(),
                            o.getReason() == null ? "-" : o.getReason(),
                            o.getFidelity().isEmpty() ? "-" : o.getFidelity().stream()
                                    .map(gap -> gap.getField() + ": " + gap.getDetail())
                                    .collect(Collectors.joining("; "))))
                    .toList());
            if (!all && report.getNotSelected().getCount() > 0) {
                out.printf("%s; --all lists them%n", report.getNotSelected().getSummary());
            }
            SyncRun run = report.getRun();
            out.printf("%s %s: %s — %d created, %d updated, %d unchanged, %d skipped, %d failed (run %s)%n",
                    run.getMode(), run.getJob(), run.getStatus(), run.getCreated(), run.getUpdated(),
                    run.getUnchanged(), run.getSkipped(), run.getFailed(), run.getId());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Show what apply would do, object by object, without writing.")
    static final class Plan extends JobCommand {
        @Override
        SyncReport run(SyncApi api, String scope) throws ApiException {
            return api.planSync(job, scope);
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Run the job now, showing its progress, then every object's outcome. Exit code 1 if any "
                    + "object failed.")
    static final class Apply extends JobCommand {

        @Option(names = "--detach", description = "Start the run and print its id without waiting for it "
                + "(follow it with `sync runs <job> --watch`).")
        boolean detach;

        @Override
        SyncReport run(SyncApi api, String scope) throws ApiException {
            SyncReport started = api.applySync(job, scope, false);
            SyncRun run = started.getRun();
            if (detach) {
                return started;
            }
            PrintWriter err = spec.commandLine().getErr();
            String shown = null;
            while (run.getStatus() == SyncRun.StatusEnum.RUNNING) {
                String now = Runs.progress(run);
                if (!now.equals(shown)) {
                    err.println("run " + run.getId() + ": " + now);
                    shown = now;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    err.println("stopped following run " + run.getId() + "; it goes on in the hub");
                    return started;
                }
                run = api.getSyncRun(run.getId(), null).getRun();
            }
            return api.getSyncRun(run.getId(), null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the sync jobs of a running hub: source, target and what triggers them.")
    static final class ListJobs extends HubCommand {
        @Override
        int run(PrintWriter out) throws ApiException {
            var jobs = new SyncApi(hub.client()).listSyncJobs(null, 200).getItems();
            if (hub.json) {
                Output.json(out, jobs);
            } else {
                Output.table(out, List.of("JOB", "SOURCE", "TARGET", "INTERVAL", "EVENTS"), jobs.stream()
                        .map(job -> List.of(job.getName(), job.getSource(), job.getTarget(),
                                job.getInterval() == null ? "-" : job.getInterval(),
                                job.getEvents().isEmpty() ? "-" : String.join(", ", job.getEvents())))
                        .toList());
            }
            return 0;
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true,
            description = "List a sync job's runs, newest first, with their counts; --watch follows a running one.")
    static final class Runs extends HubCommand {

        @Mixin
        Watch watch;

        @Parameters(index = "0", description = "The sync job's name.")
        String job;

        @Option(names = "--limit", defaultValue = "10", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(PrintWriter out) throws ApiException {
            return watch.repeat(out, () -> {
                List<SyncRun> runs = new SyncApi(hub.client()).listSyncRuns(job, null, limit).getItems();
                if (hub.json) {
                    Output.json(out, runs);
                } else {
                    Output.table(out, List.of("RUN", "MODE", "STATUS", "PROGRESS", "STARTED", "CREATED", "UPDATED",
                            "UNCHANGED", "SKIPPED", "FAILED"), runs.stream().map(run -> List.of(run.getId(),
                            String.valueOf(run.getMode()), String.valueOf(run.getStatus()), progress(run),
                            String.valueOf(run.getStartedAt()), String.valueOf(run.getCreated()),
                            String.valueOf(run.getUpdated()), String.valueOf(run.getUnchanged()),
                            String.valueOf(run.getSkipped()), String.valueOf(run.getFailed()))).toList());
                }
                return 0;
            });
        }

        /** Objects done, of the total when known, and the rate: {@code 120/400 (35.2/s)}. */
        static String progress(SyncRun run) {
            long done = run.getObjectsDone() != null ? run.getObjectsDone() : run.getCreated() + run.getUpdated()
                    + run.getUnchanged() + run.getSkipped() + run.getFailed();
            return done + (run.getObjectsTotal() == null ? "/?" : "/" + run.getObjectsTotal())
                    + (run.getObjectsPerSecond() == null ? "" : " (" + run.getObjectsPerSecond() + "/s)");
        }
    }
}
