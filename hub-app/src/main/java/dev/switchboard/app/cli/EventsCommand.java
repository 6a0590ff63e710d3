package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.EventsApi;
import dev.switchboard.client.model.EventPage;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Search the hub's inbox, newest first, with each route's outcome.")
final class EventsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HubClientOptions hub;

    @Option(names = "--type", description = "Only this event type (model_version.alias_set).")
    String type;

    @Option(names = "--subject", description = "Only this subject, or a prefix ending in * (models/churn/*).")
    String subject;

    @Option(names = "--source", description = "Only events from this connection.")
    String source;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try {
            EventPage page = new EventsApi(hub.client()).searchEvents(type, subject, source, null, null, null, limit);
            if (hub.json) {
                Output.json(out, page);
            } else {
                Output.table(out, java.util.List.of("SEQ", "TYPE", "SUBJECT", "SOURCE", "RECEIVED", "OUTCOMES"),
                        page.getItems().stream().map(event -> java.util.List.of(
                                String.valueOf(event.getSeq()), event.getType(), event.getSubject(), event.getSource(),
                                String.valueOf(event.getReceivedAt()),
                                event.getOutcomes().isEmpty() ? "-" : event.getOutcomes().stream()
                                        .map(o -> o.getRouteId() + "=" + o.getOutcome()
                                                + (o.getStep() == null ? "" : "@step" + o.getStep()))
                                        .collect(Collectors.joining(", ")))).toList());
            }
            return 0;
        } catch (ApiException e) {
            spec.commandLine().getErr().println("error: " + Output.describe(e));
            return 1;
        }
    }
}
