package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.DeliveriesApi;
import dev.switchboard.client.model.DeliveryPage;
import dev.switchboard.client.model.DeliveryStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "deliveries", mixinStandardHelpOptions = true,
        description = "List the hub's action deliveries, newest first: status, attempts and the last error.")
final class DeliveriesCommand extends HubCommand {

    @Mixin
    Watch watch;

    @Option(names = "--connection", description = "Only deliveries to this connection.")
    String connection;

    @Option(names = "--status", description = "Only this status: pending, in_flight, delivered or dead.")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(PrintWriter out) throws ApiException {
        DeliveryStatus wanted;
        try {
            wanted = status == null ? null : DeliveryStatus.fromValue(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: --status must be pending, in_flight, delivered or dead, was \""
                    + status + "\"");
            return 2;
        }
        return watch.repeat(out, () -> {
            DeliveryPage page = new DeliveriesApi(hub.client()).listDeliveries(connection, wanted, null, limit);
            if (hub.json) {
                Output.json(out, page);
            } else {
                Output.table(out, List.of("ID", "CONNECTION", "ACTION", "SUBJECT", "STATUS", "ATTEMPTS", "ROUTE",
                        "LAST ERROR"), page.getItems().stream().map(d -> List.of(String.valueOf(d.getId()),
                        d.getConnection(), d.getAction(), d.getSubject(), String.valueOf(d.getStatus()),
                        String.valueOf(d.getAttempts()), d.getRouteId() == null ? "-" : d.getRouteId(),
                        d.getLastError() == null ? "-" : d.getLastError())).toList());
            }
            return 0;
        });
    }
}
