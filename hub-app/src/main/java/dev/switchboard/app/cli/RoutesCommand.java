package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.RoutesApi;
import dev.switchboard.client.model.Route;
import dev.switchboard.client.model.RoutePage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "List a running hub's routes: status (PAUSED for a paused route), executions without an outcome "
                + "yet, what each consumes and the file it came from.",
        subcommands = {RoutesCommand.Pause.class, RoutesCommand.Resume.class})
final class RoutesCommand extends HubCommand {

    @Override
    int run(PrintWriter out) throws ApiException {
        RoutesApi api = new RoutesApi(hub.client());
        List<Route> all = new ArrayList<>();
        String token = null;
        do {
            RoutePage page = api.listRoutes(token, 200);
            all.addAll(page.getItems());
            token = page.getNextPageToken();
        } while (token != null);
        if (hub.json) {
            Output.json(out, all);
        } else {
            Output.table(out, List.of("ID", "STATUS", "UNFINISHED", "FROM", "FILE"), all.stream()
                    .map(r -> List.of(r.getId(), status(r),
                            r.getUnfinished() == null ? "-" : String.valueOf(r.getUnfinished()), r.getFrom(),
                            r.getSource() == null ? "-" : r.getSource()))
                    .toList());
        }
        return 0;
    }

    private static String status(Route route) {
        return Boolean.TRUE.equals(route.getPaused()) ? "PAUSED" : route.getStatus();
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a route on every instance: its executions wait (new events still get them) until it "
                    + "is resumed.")
    static final class Pause extends HubCommand {

        @Parameters(index = "0", description = "The route's id.")
        String id;

        @Override
        int run(PrintWriter out) throws ApiException {
            Route route = new RoutesApi(hub.client()).pauseRoute(id);
            out.println("route " + route.getId() + " paused; " + route.getUnfinished() + " execution(s) wait");
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused route: its waiting executions run in event order, where it stopped.")
    static final class Resume extends HubCommand {

        @Parameters(index = "0", description = "The route's id.")
        String id;

        @Override
        int run(PrintWriter out) throws ApiException {
            Route route = new RoutesApi(hub.client()).resumeRoute(id);
            out.println("route " + route.getId() + " resumed; " + route.getUnfinished() + " execution(s) to run");
            return 0;
        }
    }
}
