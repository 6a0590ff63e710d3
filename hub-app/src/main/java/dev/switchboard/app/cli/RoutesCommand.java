package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.RoutesApi;
import dev.switchboard.client.model.Route;
import dev.switchboard.client.model.RoutePage;
import java.io.PrintWriter;
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
        List<Route> all = everyPage(token -> api.listRoutes(token, 200), RoutePage::getItems,
                RoutePage::getNextPageToken);
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

    /** Pause and resume: the same call with the opposite flag. */
    abstract static class Switch extends HubCommand {

        @Parameters(index = "0", description = "The route's id.")
        String id;

        abstract boolean pause();

        @Override
        int run(PrintWriter out) throws ApiException {
            RoutesApi api = new RoutesApi(hub.client());
            Route route = pause() ? api.pauseRoute(id) : api.resumeRoute(id);
            out.println("route " + route.getId() + (pause() ? " paused; " + route.getUnfinished()
                    + " execution(s) wait" : " resumed; " + route.getUnfinished() + " execution(s) to run"));
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a route on every instance: its executions wait (new events still get them) until it "
                    + "is resumed.")
    static final class Pause extends Switch {
        @Override
        boolean pause() {
            return true;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused route: its waiting executions run in event order, where it stopped.")
    static final class Resume extends Switch {
        @Override
        boolean pause() {
            return false;
        }
    }
}
