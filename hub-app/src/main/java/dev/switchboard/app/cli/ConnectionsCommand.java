package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.ConnectionsApi;
import dev.switchboard.client.model.Connection;
import dev.switchboard.client.model.ConnectionPage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "List a running hub's connections: type, version, capabilities and the plugin that provided each.")
final class ConnectionsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HubClientOptions hub;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try {
            ConnectionsApi api = new ConnectionsApi(hub.client());
            List<Connection> all = new ArrayList<>();
            String token = null;
            do {
                ConnectionPage page = api.listConnections(token, 200);
                all.addAll(page.getItems());
                token = page.getNextPageToken();
            } while (token != null);
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
        } catch (ApiException e) {
            spec.commandLine().getErr().println("error: " + Output.describe(e));
            return 1;
        }
    }
}
