package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.ConnectionsApi;
import dev.switchboard.client.model.CheckResult;
import dev.switchboard.client.model.Connection;
import dev.switchboard.client.model.ConnectionPage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Probe the tools behind a running hub's connections, live (one, or every one); exit code 1 when "
                + "a probe fails.")
final class CheckCommand extends HubCommand {

    @Parameters(index = "0", arity = "0..1", description = "The connection to probe; every connection when absent.")
    String connection;

    @Option(names = "--timeout", defaultValue = "10", description = "Seconds each probe may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    int run(PrintWriter out) throws ApiException {
        ConnectionsApi api = new ConnectionsApi(hub.client());
        List<String> names = new ArrayList<>();
        if (connection != null) {
            names.add(connection);
        } else {
            everyPage(token -> api.listConnections(token, 200), ConnectionPage::getItems,
                    ConnectionPage::getNextPageToken).stream().map(Connection::getName).forEach(names::add);
        }
        List<CheckResult> results = new ArrayList<>();
        for (String name : names) {
            results.add(api.checkConnection(name, timeoutSeconds));
        }
        if (hub.json) {
            Output.json(out, results);
        } else {
            Output.table(out, List.of("CONNECTION", "OK", "TOOK", "MESSAGE"), results.stream()
                    .map(r -> List.of(r.getConnection(), r.getOk() ? "ok" : "FAILED", r.getTookMillis() + "ms",
                            r.getMessage()))
                    .toList());
        }
        return results.stream().allMatch(CheckResult::getOk) ? 0 : 1;
    }
}
