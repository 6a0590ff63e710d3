package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.EventsApi;
import dev.switchboard.client.model.EventDetail;
import dev.switchboard.client.model.EventPage;
import dev.switchboard.client.model.EventSummary;
import dev.switchboard.client.model.InjectResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Search the hub's inbox, newest first, with each route's outcome.",
        subcommands = {EventsCommand.Show.class, EventsCommand.Inject.class})
final class EventsCommand extends HubCommand {

    @Mixin
    Watch watch;

    @Option(names = "--type", description = "Only this event type (model_version.alias_set).")
    String type;

    @Option(names = "--subject", description = "Only this subject, or a prefix ending in * (models/churn/*).")
    String subject;

    @Option(names = "--source", description = "Only events from this connection.")
    String source;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(PrintWriter out) throws ApiException {
        return watch.repeat(out, () -> {
            EventPage page = new EventsApi(hub.client()).searchEvents(type, subject, source, null, null, null, limit);
            if (hub.json) {
                Output.json(out, page);
            } else {
                Output.table(out, List.of("SEQ", "TYPE", "SUBJECT", "SOURCE", "RECEIVED", "OUTCOMES"),
                        page.getItems().stream().map(event -> List.of(
                                seq(event), event.getType(), event.getSubject(), event.getSource(),
                                String.valueOf(event.getReceivedAt()), outcomes(event))).toList());
            }
            return 0;
        });
    }

    /** The event's seq, with {@code *} for a test event an operator injected. */
    private static String seq(EventSummary event) {
        return event.getSeq() + (Boolean.TRUE.equals(event.getInjected()) ? "*" : "");
    }

    static String outcomes(EventSummary event) {
        return event.getOutcomes().isEmpty() ? "-" : event.getOutcomes().stream()
                .map(o -> o.getRouteId() + "=" + o.getOutcome() + (o.getStep() == null ? "" : "@step" + o.getStep()))
                .collect(Collectors.joining(", "));
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One event: its attributes, each route's outcome with its detail, and the CloudEvent.")
    static final class Show extends HubCommand {

        @Parameters(index = "0", description = "The event's seq (the SEQ column of `events`).")
        long seq;

        @Override
        int run(PrintWriter out) throws ApiException {
            EventDetail detail = new EventsApi(hub.client()).getEvent(seq);
            if (hub.json) {
                Output.json(out, detail);
                return 0;
            }
            EventSummary event = detail.getSummary();
            Output.table(out, List.of("FIELD", "VALUE"), List.of(
                    List.of("seq", String.valueOf(event.getSeq())),
                    List.of("id", event.getId()),
                    List.of("type", event.getType()),
                    List.of("source", event.getSource()),
                    List.of("subject", event.getSubject()),
                    List.of("time", String.valueOf(event.getTime())),
                    List.of("received", String.valueOf(event.getReceivedAt())),
                    List.of("injected", String.valueOf(Boolean.TRUE.equals(event.getInjected())))));
            if (event.getDecodeError() != null) {
                out.println("cannot be decoded: " + event.getDecodeError());
            }
            out.println();
            Output.table(out, List.of("ROUTE", "OUTCOME", "STEP", "DETAIL"), event.getOutcomes().stream()
                    .map(o -> List.of(o.getRouteId(), String.valueOf(o.getOutcome()),
                            o.getStep() == null ? "-" : String.valueOf(o.getStep()),
                            o.getDetail() == null ? "-" : o.getDetail()))
                    .toList());
            if (detail.getCloudEvent() != null) {
                out.println();
                Output.json(out, detail.getCloudEvent());
            }
            return 0;
        }
    }

    @Command(name = "inject", mixinStandardHelpOptions = true,
            description = "Send a test event (a CloudEvent JSON file) into the inbox; it is validated like a "
                    + "webhook's, routed like any event and marked as injected.")
    static final class Inject extends HubCommand {

        @Parameters(index = "0", description = "The CloudEvent, in structured JSON (source /connections/<name>).")
        Path file;

        @Override
        @SuppressWarnings("unchecked")
        int run(PrintWriter out) throws ApiException {
            Map<String, Object> event;
            try {
                event = dev.switchboard.client.JSON.getDefault().getMapper().readValue(Files.readString(file),
                        Map.class);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            InjectResult result = new EventsApi(hub.client()).injectEvent(event);
            out.println(Boolean.TRUE.equals(result.getStored()) ? "event " + result.getId() + " stored at seq "
                    + result.getSeq() : "event " + result.getId() + " was already stored (same source and id)");
            return 0;
        }
    }
}
