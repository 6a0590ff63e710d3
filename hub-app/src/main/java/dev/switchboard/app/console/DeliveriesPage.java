package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.delivery.Attempt;
import dev.switchboard.core.delivery.Delivery;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.core.delivery.Outbox;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The outbox: every action a route asked for, where it stands, and its attempts with their errors and timings; and
 * each connection's circuit breaker, which decides whether the next attempt is made at all.
 */
@Controller
class DeliveriesPage {

    private static final String PATH = BrowserSessions.PATH + "/deliveries";
    private static final int PAGE = 50;

    private final Outbox outbox;
    private final DeliveryEngine engine;
    private final ConnectionRegistry connections;

    DeliveriesPage(Outbox outbox, DeliveryEngine engine, ConnectionRegistry connections) {
        this.outbox = outbox;
        this.engine = engine;
        this.connections = connections;
    }

    @GetMapping(PATH)
    ResponseEntity<String> list(@RequestParam(required = false) String connection,
                                @RequestParam(required = false) String status,
                                @RequestParam(required = false) String before,
                                HttpServletRequest request) {
        String refused = null;
        List<Delivery> rows = List.of();
        try {
            Delivery.Status wanted = status(status);
            rows = outbox.list(ConsoleInput.optional(connection), wanted, ConsoleInput.number("before", before),
                    PAGE + 1);
        } catch (ConsoleInput.Refused e) {
            refused = e.getMessage();
        }
        List<Delivery> shown = rows.size() > PAGE ? rows.subList(0, PAGE) : rows;
        boolean more = rows.size() > PAGE;
        String problem = refused;
        return ConsolePage.render(request, problem == null ? HttpStatus.OK : HttpStatus.BAD_REQUEST, "Deliveries", PATH,
                html -> {
            if (problem != null) {
                ConsolePage.notice(html, "error", problem);
            }
            breakers(html);
            html.open("form", "method", "get", "action", PATH, "class", "filters");
            html.open("label").text("Connection").open("input", "type", "text", "name", "connection", "value",
                    connection).close("label");
            html.open("label").text("Status").open("select", "name", "status").element("option", "any", "value", "");
            for (Delivery.Status option : Delivery.Status.values()) {
                html.element("option", option.name(), "value", option.name(),
                        "selected", option.name().equalsIgnoreCase(String.valueOf(status)) ? "" : null);
            }
            html.close("select").close("label");
            html.open("button", "type", "submit").text("Filter").close("button").link(PATH, "Clear").close("form");
            html.open("table", "id", "deliveries");
            ConsolePage.header(html, "Id", "Connection", "Action", "Subject", "Status", "Attempts", "Next attempt",
                    "Last error", "Created");
            html.open("tbody", "id", "delivery-rows", "data-live", before == null ? "" : null);
            for (Delivery delivery : shown) {
                html.open("tr", "data-id", String.valueOf(delivery.id()));
                html.open("td").link(PATH + "/" + delivery.id(), delivery.id()).close("td");
                html.element("td", delivery.connection()).element("td", delivery.action())
                        .element("td", delivery.subject()).open("td");
                EventsPage.state(html, delivery.status().name(), delivery.status().name(), null);
                html.close("td").element("td", delivery.attempts())
                        .element("td", delivery.status() == Delivery.Status.PENDING ? delivery.nextAttemptAt() : null)
                        .element("td", delivery.lastError(), "class", "error-text")
                        .element("td", delivery.createdAt()).close("tr");
            }
            if (shown.isEmpty()) {
                html.open("tr").element("td", "No deliveries match.", "colspan", "9").close("tr");
            }
            html.close("tbody").close("table");
            if (more) {
                html.link(PATH + "?" + ConsoleQuery.of("connection", connection, "status", status, "before",
                        String.valueOf(shown.get(shown.size() - 1).id())), "Older deliveries", "class", "more");
            }
        });
    }

    @GetMapping(PATH + "/{id}")
    ResponseEntity<String> delivery(@PathVariable long id, HttpServletRequest request) {
        Delivery delivery = outbox.get(id).orElse(null);
        if (delivery == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Delivery " + id, PATH,
                    html -> ConsolePage.notice(html, "error", "There is no delivery with id " + id + "."));
        }
        List<Attempt> attempts = outbox.attempts(id);
        return ConsolePage.render(request, "Delivery " + id, PATH, html -> {
            html.open("div", "id", "delivery-facts", "data-live", "");
            facts(html, delivery);
            html.close("div");
            html.element("h2", "Attempts");
            attempts(html, attempts);
        });
    }

    static void facts(Html html, Delivery delivery) {
        html.open("dl", "class", "facts");
        html.element("dt", "Status").open("dd", "id", "delivery-status");
        EventsPage.state(html, delivery.status().name(), delivery.status().name(), null);
        html.close("dd");
        EventsPage.fact(html, "Connection", delivery.connection());
        EventsPage.fact(html, "Action", delivery.action());
        EventsPage.fact(html, "Parameters", delivery.parameters().isEmpty() ? null : delivery.parameters().toString());
        EventsPage.fact(html, "Subject", delivery.subject());
        EventsPage.fact(html, "Idempotency key", delivery.idempotencyKey());
        EventsPage.fact(html, "Attempts", delivery.attempts());
        EventsPage.fact(html, "Next attempt",
                delivery.status() == Delivery.Status.PENDING ? delivery.nextAttemptAt() : null);
        EventsPage.fact(html, "Last error", delivery.lastError());
        EventsPage.fact(html, "Route", delivery.routeId());
        html.element("dt", "Event").open("dd");
        if (delivery.eventSeq() != null) {
            html.link(BrowserSessions.PATH + "/events/" + delivery.eventSeq(), delivery.eventSeq());
        }
        html.close("dd");
        EventsPage.fact(html, "Created", delivery.createdAt());
        html.close("dl");
    }

    static void attempts(Html html, List<Attempt> attempts) {
        html.open("table", "id", "attempts");
        ConsolePage.header(html, "#", "Started", "Took", "Outcome", "Error kind", "Error");
        html.open("tbody", "id", "attempt-rows", "data-live", "");
        for (Attempt attempt : attempts) {
            html.open("tr").element("td", attempt.number()).element("td", attempt.startedAt())
                    .element("td", took(attempt)).open("td");
            EventsPage.state(html, attempt.outcome().name(), attempt.outcome().name(), null);
            html.close("td").element("td", attempt.errorKind() == null ? null : attempt.errorKind().name())
                    .element("td", attempt.error(), "class", "error-text").close("tr");
        }
        if (attempts.isEmpty()) {
            html.open("tr").element("td", "No attempt yet.", "colspan", "6").close("tr");
        }
        html.close("tbody").close("table");
    }

    /** Each connection's breaker: CLOSED lets attempts through, OPEN holds them back until it half-opens. */
    private void breakers(Html html) {
        html.element("h2", "Circuit breakers");
        html.open("table", "id", "breakers");
        ConsolePage.header(html, "Connection", "Breaker", "Failure rate", "Buffered calls");
        html.open("tbody", "id", "breaker-rows", "data-live", "");
        for (ConnectionRegistry.Entry entry : connections.all()) {
            var breaker = engine.breaker(entry.connection().name());
            var metrics = breaker.getMetrics();
            html.open("tr").element("td", entry.connection().name()).open("td");
            EventsPage.state(html, breaker.getState().name(), breaker.getState().name(), null);
            html.close("td").element("td", metrics.getFailureRate() < 0 ? "n/a"
                            : String.format(Locale.ROOT, "%.0f%%", metrics.getFailureRate()))
                    .element("td", metrics.getNumberOfBufferedCalls()).close("tr");
        }
        html.close("tbody").close("table");
    }

    private static String took(Attempt attempt) {
        if (attempt.finishedAt() == null) {
            return "running";
        }
        return Duration.between(attempt.startedAt(), attempt.finishedAt()).toMillis() + " ms";
    }

    private static Delivery.Status status(String status) {
        String text = ConsoleInput.optional(status);
        if (text == null) {
            return null;
        }
        try {
            return Delivery.Status.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConsoleInput.Refused("status: expected one of " + Arrays.toString(Delivery.Status.values())
                    + ", was \"" + ConsoleInput.abbreviate(text) + "\"");
        }
    }
}
