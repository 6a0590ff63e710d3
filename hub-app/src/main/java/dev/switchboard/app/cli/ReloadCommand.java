package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.HubApi;
import dev.switchboard.client.model.ReloadResult;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running hub reload its route files and sync jobs now (it also does when they change); "
                + "a file with a problem changes nothing, and every problem is printed.")
final class ReloadCommand extends HubCommand {

    @Override
    int run(PrintWriter out) throws ApiException {
        try {
            ReloadResult result = new HubApi(hub.client()).reload();
            if (hub.json) {
                Output.json(out, result);
            } else {
                out.println("routes added: " + list(result.getRoutesAdded()) + "; replaced: "
                        + list(result.getRoutesReplaced()) + "; removed: " + list(result.getRoutesRemoved()));
                out.println("sync jobs changed: " + list(result.getSyncJobs()));
                result.getNotes().forEach(note -> out.println("note: " + note));
            }
            return 0;
        } catch (ApiException e) {
            if (e.getCode() != 422) {
                throw e;
            }
            var err = spec.commandLine().getErr();
            err.println("error: " + Output.describe(e));
            Output.problems(e).forEach(problem -> err.println("  " + problem));
            return 1;
        }
    }

    private static String list(java.util.List<String> names) {
        return names.isEmpty() ? "-" : String.join(", ", names);
    }
}
