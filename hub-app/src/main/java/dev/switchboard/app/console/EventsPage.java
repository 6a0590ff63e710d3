package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.EventQuery;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.UnreadableEvent;
import dev.switchboard.model.EventType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;

/** The inbox, newest first, with filters; and one event: its CloudEvent and what each route did with it. */
@Controller
class EventsPage {

    private static final String PATH = BrowserSessions.PATH + "/events";
    private static final int PAGE = 50;

    private final Store store;
    private final EventCodec codec = new EventCodec();

    EventsPage(Store store) {
        this.store = store;
    }

    @GetMapping(PATH)
    ResponseEntity<String> list(@RequestParam(required = false) String type,
                                @RequestParam(required = false) String source,
                                @RequestParam(required = false) String subject,
                                @RequestParam(required = false) String from,
                                @RequestParam(required = false) String to,
                                @RequestParam(required = false) String before,
                                HttpServletRequest request) {
        List<InboxEntry> events;
        String refused = null;
        try {
            String eventType = ConsoleInput.optional(type);
            if (eventType != null) {
                try {
                    EventType.of(eventType);
                } catch (IllegalArgumentException e) {
                    throw new ConsoleInput.Refused("type: " + e.getMessage());
                }
            }
            EventQuery query = new EventQuery(eventType, ConsoleInput.optional(subject), ConsoleInput.optional(source),
                    ConsoleInput.instant("from", from), ConsoleInput.instant("to", to),
                    ConsoleInput.number("before", before));
            events = store.inbox().searchEntries(query, PAGE + 1);
        } catch (ConsoleInput.Refused e) {
            refused = e.getMessage();
            events = List.of();
        }
        List<InboxEntry> shown = events.size() > PAGE ? events.subList(0, PAGE) : events;
        boolean more = events.size() > PAGE;
        String problem = refused;
        return ConsolePage.render(request, problem == null ? HttpStatus.OK : HttpStatus.BAD_REQUEST, "Events", PATH,
                html -> {
            if (problem != null) {
                ConsolePage.notice(html, "error", problem);
            }
            html.open("form", "method", "get", "action", PATH, "class", "filters", "id", "event-filters");
            filter(html, "type", "Type", type, "model_version.alias_set");
            filter(html, "source", "Source", source, "connection name");
            filter(html, "subject", "Subject", subject, "models/churn/versions/1");
            filter(html, "from", "Received from", from, "2024-05-01T00:00:00Z");
            filter(html, "to", "Received before", to, "2024-05-02T00:00:00Z");
            html.open("button", "type", "submit").text("Filter").close("button")
                    .link(PATH, "Clear").close("form");
            html.open("table", "id", "events");
            ConsolePage.header(html, "Seq", "Received", "Type", "Source", "Subject", "Route outcomes");
            html.open("tbody", "id", "events-rows", "data-live", before == null ? "" : null);
            for (InboxEntry entry : shown) {
                row(html, entry);
            }
            if (shown.isEmpty()) {
                html.open("tr").element("td", "No events match.", "colspan", "6").close("tr");
            }
            html.close("tbody").close("table");
            if (more) {
                html.link(PATH + "?" + ConsoleQuery.of("type", type, "source", source, "subject", subject, "from", from,
                        "to", to, "before", String.valueOf(shown.get(shown.size() - 1).seq())), "Older events",
                        "class", "more");
            }
        });
    }

    @GetMapping(PATH + "/{seq}")
    ResponseEntity<String> event(@PathVariable long seq, HttpServletRequest request) {
        InboxEntry entry = store.inbox().entry(seq).orElse(null);
        if (entry == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Event " + seq, PATH,
                    html -> ConsolePage.notice(html, "error", "There is no event with seq " + seq + "."));
        }
        List<RouteProgress.Entry> outcomes = store.routeProgress().outcomes(seq);
        return ConsolePage.render(request, "Event " + seq, PATH, html -> {
            html.open("dl", "class", "facts");
            fact(html, "Received", entry.receivedAt());
            if (entry instanceof StoredEvent stored) {
                fact(html, "Id", stored.event().id());
                fact(html, "Type", stored.event().type().typeName());
                fact(html, "Source", stored.event().sourceConnection());
                fact(html, "Subject", stored.event().subject());
                fact(html, "Time", stored.event().time());
            } else {
                UnreadableEvent row = (UnreadableEvent) entry;
                fact(html, "Id", row.id());
                fact(html, "Type", row.type());
                fact(html, "Subject", row.subject());
                fact(html, "Cannot be read", row.reason());
            }
            html.close("dl");
            html.element("h2", "Route outcomes");
            html.open("table", "id", "outcomes");
            ConsolePage.header(html, "Route", "Outcome", "Detail");
            html.open("tbody", "id", "outcome-rows", "data-live", "");
            for (RouteProgress.Entry outcome : outcomes) {
                html.open("tr").element("td", outcome.routeId()).open("td");
                state(html, label(outcome), outcome.outcome().name(), null);
                html.close("td").element("td", outcome.detail()).close("tr");
            }
            if (outcomes.isEmpty()) {
                html.open("tr").element("td", "No route has finished with this event yet.", "colspan", "3")
                        .close("tr");
            }
            html.close("tbody").close("table");
            if (entry instanceof StoredEvent stored) {
                html.element("h2", "CloudEvent");
                html.element("pre", pretty(stored), "id", "cloud-event", "class", "json");
            }
        });
    }

    private String pretty(StoredEvent stored) {
        JsonNode tree = codec.jsonMapper().readTree(codec.toJson(stored.event()));
        return codec.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    }

    private void row(Html html, InboxEntry entry) {
        html.open("tr", "data-seq", String.valueOf(entry.seq()));
        html.open("td").link(PATH + "/" + entry.seq(), entry.seq()).close("td");
        html.element("td", entry.receivedAt());
        if (entry instanceof StoredEvent stored) {
            html.element("td", stored.event().type().typeName()).element("td", stored.event().sourceConnection())
                    .element("td", stored.event().subject(), "class", "subject");
        } else {
            UnreadableEvent row = (UnreadableEvent) entry;
            html.element("td", row.type()).element("td", row.sourceConnection())
                    .element("td", row.subject() + " (cannot be read: " + row.reason() + ")", "class", "subject");
        }
        html.open("td", "class", "outcomes");
        for (RouteProgress.Entry outcome : store.routeProgress().outcomes(entry.seq())) {
            state(html, outcome.routeId() + " " + label(outcome), outcome.outcome().name(), outcome.detail());
        }
        html.close("td").close("tr");
    }

    /** A state badge; its colour comes from the state's name, so states added later still show, uncoloured. */
    static void state(Html html, String text, String state, String title) {
        html.element("span", text, "class", "state " + state.toLowerCase(Locale.ROOT), "title", title);
    }

    private static void filter(Html html, String name, String label, String value, String placeholder) {
        html.open("label").text(label)
                .open("input", "type", "text", "name", name, "value", value, "placeholder", placeholder)
                .close("label");
    }

    static void fact(Html html, String name, Object value) {
        html.element("dt", name).element("dd", value);
    }

    /** The outcome as the CLI writes it: the state, and for WAITING and DEAD the step ({@code DEAD@step2}). */
    static String label(RouteProgress.Entry outcome) {
        return outcome.outcome().name() + (outcome.step() == null ? "" : "@step" + outcome.step());
    }
}
