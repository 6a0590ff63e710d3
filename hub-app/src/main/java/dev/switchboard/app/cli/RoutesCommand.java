package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.RoutesApi;
import dev.switchboard.client.model.Route;
import dev.switchboard.client.model.RoutePage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "List a running hub's routes: status, what each consumes and the file it came from.")
final class RoutesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HubClientOptions hub;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try {
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
                Output.table(out, List.of("ID", "STATUS", "FROM", "FILE"), all.stream()
                        .map(r -> List.of(r.getId(), r.getStatus(), r.getFrom(),
                                r.getSource() == null ? "-" : r.getSource()))
                        .toList());
            }
            return 0;
        } catch (ApiException e) {
            spec.commandLine().getErr().println("error: " + Output.describe(e));
            return 1;
        }
    }
}
