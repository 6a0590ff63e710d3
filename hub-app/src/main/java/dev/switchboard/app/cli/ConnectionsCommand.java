package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.ConnectionsApi;
import dev.switchboard.client.model.Connection;
import dev.switchboard.client.model.ConnectionPage;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "List a running hub's connections: type, version, capabilities and the plugin that provided each.")
final class ConnectionsCommand extends HubCommand {

    @Override
    int run(PrintWriter out) throws ApiException {
        ConnectionsApi api = new ConnectionsApi(hub.client());
        List<Connection> all = everyPage(token -> api.listConnections(token, 200), ConnectionPage::getItems,
                ConnectionPage::getNextPageToken);
        if (hub.json) {
            Output.json(out, all);
        } else {
            Output.table(out, List.of("NAME", "TYPE", "VERSION", "PLUGIN", "CAPABILITIES"), all.stream()
                    .map(c -> List.of(c.getName(), c.getType(), c.getVersion(), c.getPlugin(),
                            c.getCapabilities().isEmpty() ? "-" : c.getCapabilities().stream()
                                    .map(Connection.CapabilitiesEnum::getValue).collect(Collectors.joining(","))))
                    .toList());
        }
        return 0;
    }
}
