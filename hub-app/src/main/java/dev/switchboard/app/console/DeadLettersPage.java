package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import dev.switchboard.core.delivery.DeadLetter;
import dev.switchboard.core.delivery.DeadLetterFilter;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Everything that could not be done, with its reason and attempt history; replayed one at a time or as a selection,
 * and the outcome of each replay shown. A replayed delivery's status is refreshed on the page, so the operator sees
 * it go from PENDING to DELIVERED (or back to a dead letter).
 */
@Controller
class DeadLettersPage {

    private static final String PATH = BrowserSessions.PATH + "/dead-letters";
    private static final int PAGE = 50;
    /** More ids than one page shows are not a selection a person made. */
    private static final int MAX_SELECTED = 500;

    private final DeadLetters deadLetters;

    DeadLettersPage(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping(PATH)
    ResponseEntity<String> list(@RequestParam(required = false) String connection,
                                @RequestParam(required = false) String stage,
                                @RequestParam(required = false, defaultValue = "open") String show,
                                @RequestParam(required = false) String before,
                                HttpServletRequest request) {
        String refused = null;
        Page<DeadLetter> page = Page.last(List.of());
        try {
            Boolean open = switch (show) {
                case "open" -> Boolean.TRUE;
                case "replayed" -> Boolean.FALSE;
                case "all" -> null;
                default -> throw new ConsoleInput.Refused("show: expected open, replayed or all, was \""
                        + ConsoleInput.abbreviate(show) + "\"");
            };
            ConsoleInput.number("before", before);
            page = deadLetters.list(new DeadLetterFilter(ConsoleInput.optional(connection), stage(stage), null, null,
                    open), new PageRequest(ConsoleInput.optional(before), PAGE));
        } catch (ConsoleInput.Refused e) {
            refused = e.getMessage();
        }
        Page<DeadLetter> shown = page;
        String problem = refused;
        return ConsolePage.render(request, problem == null ? HttpStatus.OK : HttpStatus.BAD_REQUEST, "Dead letters",
                PATH, html -> {
            if (problem != null) {
                ConsolePage.notice(html, "error", problem);
            }
            html.open("form", "method", "get", "action", PATH, "class", "filters");
            html.open("label").text("Connection").open("input", "type", "text", "name", "connection", "value",
                    connection).close("label");
            html.open("label").text("Stage").open("select", "name", "stage").element("option", "any", "value", "");
            for (DeadLetter.Stage option : DeadLetter.Stage.values()) {
                html.element("option", option.code(), "value", option.code(),
                        "selected", option.code().equals(stage) ? "" : null);
            }
            html.close("select").close("label");
            html.open("label").text("Show").open("select", "name", "show");
            for (String option : List.of("open", "replayed", "all")) {
                html.element("option", option, "value", option, "selected", option.equals(show) ? "" : null);
            }
            html.close("select").close("label");
            html.open("button", "type", "submit").text("Filter").close("button").link(PATH, "Clear").close("form");

            ConsolePage.form(html, request, PATH + "/replay", null);
            html.open("table", "id", "dead-letters");
            ConsolePage.header(html, "", "Id", "Stage", "Connection", "Route or object", "Reason", "Recorded",
                    "Replayed");
            html.open("tbody", "id", "dead-letter-rows", "data-live", before == null ? "" : null);
            for (DeadLetter deadLetter : shown.items()) {
                html.open("tr", "data-id", String.valueOf(deadLetter.id())).open("td");
                if (deadLetter.open()) {
                    html.open("input", "type", "checkbox", "name", "id", "value", String.valueOf(deadLetter.id()),
                            "aria-label", "select dead letter " + deadLetter.id());
                }
                html.close("td").open("td").link(PATH + "/" + deadLetter.id(), deadLetter.id()).close("td")
                        .element("td", deadLetter.stage().code()).element("td", deadLetter.connection())
                        .element("td", deadLetter.sync() == null ? deadLetter.routeId()
                                : deadLetter.sync().job() + ": " + deadLetter.sync().objectKey())
                        .element("td", deadLetter.reason(), "class", "error-text")
                        .element("td", deadLetter.createdAt()).element("td", deadLetter.replayedAt()).close("tr");
            }
            if (shown.items().isEmpty()) {
                html.open("tr").element("td", "No dead letters match.", "colspan", "8").close("tr");
            }
            html.close("tbody").close("table");
            html.open("button", "type", "submit", "id", "replay-selected").text("Replay selected")
                    .close("button").close("form");
            if (shown.nextPageToken() != null) {
                html.link(PATH + "?" + ConsoleQuery.of("connection", connection, "stage", stage, "show", show,
                        "before", shown.nextPageToken()), "Older dead letters", "class", "more");
            }
        });
    }

    @GetMapping(PATH + "/{id}")
    ResponseEntity<String> deadLetter(@PathVariable long id, @RequestParam(required = false) String replay,
                                      HttpServletRequest request) {
        DeadLetters.Detail detail = deadLetters.get(id).orElse(null);
        if (detail == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Dead letter " + id, PATH,
                    html -> ConsolePage.notice(html, "error", "There is no dead letter with id " + id + "."));
        }
        DeadLetter deadLetter = detail.deadLetter();
        // Only an outcome name is shown from the query string, never its text: the link could come from anywhere.
        DeadLetters.ReplayOutcome outcome = Arrays.stream(DeadLetters.ReplayOutcome.values())
                .filter(known -> known.name().equals(replay)).findFirst().orElse(null);
        return ConsolePage.render(request, "Dead letter " + id, PATH, html -> {
            if (outcome != null) {
                ConsolePage.notice(html, outcome == DeadLetters.ReplayOutcome.REPLAYED ? "ok" : "error",
                        "Replay: " + outcome.name() + " — " + explain(outcome));
            }
            html.open("dl", "class", "facts");
            EventsPage.fact(html, "Reason", deadLetter.reason());
            EventsPage.fact(html, "Stage", deadLetter.stage().code());
            EventsPage.fact(html, "Connection", deadLetter.connection());
            EventsPage.fact(html, "Action", deadLetter.action());
            EventsPage.fact(html, "Route", deadLetter.routeId());
            if (deadLetter.sync() != null) {
                EventsPage.fact(html, "Sync job", deadLetter.sync().job());
                EventsPage.fact(html, "Object", deadLetter.sync().objectKey());
                EventsPage.fact(html, "Sync run", deadLetter.sync().runId());
            }
            html.element("dt", "Event").open("dd");
            if (deadLetter.eventSeq() != null) {
                html.link(BrowserSessions.PATH + "/events/" + deadLetter.eventSeq(), deadLetter.eventSeq());
            }
            html.close("dd");
            EventsPage.fact(html, "Recorded", deadLetter.createdAt());
            EventsPage.fact(html, "Replayed", deadLetter.replayedAt());
            html.close("dl");
            if (deadLetter.open()) {
                ConsolePage.form(html, request, PATH + "/" + id + "/replay", null)
                        .open("button", "type", "submit", "id", "replay").text("Replay").close("button")
                        .close("form");
            }
            detail.delivery().ifPresent(delivery -> {
                html.element("h2", "Delivery");
                html.open("div", "id", "delivery-facts", "data-live", "");
                DeliveriesPage.facts(html, delivery);
                html.close("div");
                html.open("p").link(BrowserSessions.PATH + "/deliveries/" + delivery.id(), "Open delivery "
                        + delivery.id()).close("p");
            });
            html.element("h2", "Attempt history");
            DeliveriesPage.attempts(html, detail.attempts());
        });
    }

    @PostMapping(PATH + "/{id}/replay")
    ResponseEntity<String> replay(@PathVariable long id) {
        DeadLetters.ReplayResult result = deadLetters.replay(id);
        return ResponseEntity.status(HttpStatus.SEE_OTHER)
                .header(HttpHeaders.LOCATION, PATH + "/" + id + "?replay=" + result.outcome().name()).build();
    }

    @PostMapping(PATH + "/replay")
    ResponseEntity<String> replaySelected(@RequestParam(name = "id", required = false) List<String> ids,
                                          HttpServletRequest request) {
        List<Long> selected = new ArrayList<>();
        String refused = null;
        try {
            for (String id : ids == null ? List.<String>of() : ids) {
                if (!id.isBlank()) {
                    selected.add(ConsoleInput.number("id", id));
                }
            }
            if (selected.isEmpty()) {
                refused = "Select at least one dead letter to replay.";
            } else if (selected.size() > MAX_SELECTED) {
                refused = "Select at most " + MAX_SELECTED + " dead letters at once.";
            }
        } catch (ConsoleInput.Refused e) {
            refused = e.getMessage();
        }
        if (refused != null) {
            String problem = refused;
            return ConsolePage.render(request, HttpStatus.BAD_REQUEST, "Replay dead letters", PATH,
                    html -> ConsolePage.notice(html, "error", problem));
        }
        List<DeadLetters.ReplayResult> results = selected.stream().distinct().map(deadLetters::replay).toList();
        return ConsolePage.render(request, "Replay dead letters", PATH, html -> {
            long replayed = results.stream().filter(r -> r.outcome() == DeadLetters.ReplayOutcome.REPLAYED).count();
            ConsolePage.notice(html, replayed == results.size() ? "ok" : "error",
                    "Replayed " + replayed + " of " + results.size() + " dead letters.");
            html.open("table", "id", "replay-results");
            ConsolePage.header(html, "Dead letter", "Outcome", "What it means");
            html.open("tbody");
            for (DeadLetters.ReplayResult result : results) {
                html.open("tr").open("td").link(PATH + "/" + result.id(), result.id()).close("td").open("td");
                EventsPage.state(html, result.outcome().name(), result.outcome().name(), null);
                html.close("td").element("td", explain(result.outcome())).close("tr");
            }
            html.close("tbody").close("table");
            html.open("p").link(PATH, "Back to dead letters").close("p");
        });
    }

    private static String explain(DeadLetters.ReplayOutcome outcome) {
        return switch (outcome) {
            case REPLAYED -> "queued again (a route or delivery: it runs from the step that failed; a sync object: "
                    + "synced)";
            case NOT_FOUND -> "there is no such dead letter";
            case ALREADY_REPLAYED -> "it was replayed before; its work is queued or done";
            case NOT_REPLAYABLE -> "it names nothing that can run again";
            case FAILED_AGAIN -> "the object was synced again and failed again; the dead letter has the new reason";
        };
    }

    private static DeadLetter.Stage stage(String stage) {
        String text = ConsoleInput.optional(stage);
        if (text == null) {
            return null;
        }
        try {
            return DeadLetter.Stage.ofCode(text);
        } catch (IllegalArgumentException e) {
            throw new ConsoleInput.Refused("stage: expected route, delivery or sync, was \"" + ConsoleInput.abbreviate(text)
                    + "\"");
        }
    }
}
