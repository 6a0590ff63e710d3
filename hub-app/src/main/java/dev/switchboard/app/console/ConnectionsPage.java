package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorOrigin;
import dev.switchboard.core.delivery.DeliveryEngine;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connector;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The configured connections: their connector and the plugin (jar) that provided it, what they can do, their
 * circuit breaker, and a live health check on demand. Options are not shown: some are secrets.
 */
@Controller
class ConnectionsPage {

    private static final String PATH = BrowserSessions.PATH + "/connections";
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private final ConnectionRegistry connections;
    private final DeliveryEngine engine;

    ConnectionsPage(ConnectionRegistry connections, DeliveryEngine engine) {
        this.connections = connections;
        this.engine = engine;
    }

    @GetMapping(PATH)
    ResponseEntity<String> list(HttpServletRequest request) {
        return page(request, null, null);
    }

    @PostMapping(PATH + "/{name}/check")
    ResponseEntity<String> check(@PathVariable String name, HttpServletRequest request) {
        ConnectionRegistry.Entry entry = connections.find(name).orElse(null);
        if (entry == null) {
            return ConsolePage.render(request, HttpStatus.NOT_FOUND, "Connections", PATH,
                    html -> ConsolePage.notice(html, "error", "There is no connection named " + name + "."));
        }
        long started = System.nanoTime();
        // A connector should honour the timeout itself; this guard keeps a misbehaving one from holding the page.
        CheckResult result = CompletableFuture.supplyAsync(() -> entry.connection().check(CHECK_TIMEOUT))
                .completeOnTimeout(null, CHECK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(failure -> CheckResult.failed("check failed: " + failure.getCause().getMessage(),
                        Duration.ofNanos(System.nanoTime() - started)))
                .join();
        if (result == null) {
            result = CheckResult.failed("no answer within " + CHECK_TIMEOUT.getSeconds() + " s", CHECK_TIMEOUT);
        }
        return page(request, name, result);
    }

    private ResponseEntity<String> page(HttpServletRequest request, String checked, CheckResult result) {
        List<ConnectionRegistry.Entry> all = connections.all().stream()
                .sorted(Comparator.comparing(entry -> entry.connection().name())).toList();
        return ConsolePage.render(request, "Connections", PATH, html -> {
            if (result != null) {
                ConsolePage.notice(html, result.ok() ? "ok" : "error", "Check of " + checked + ": "
                        + (result.ok() ? "OK" : "FAILED") + " in " + result.took().toMillis() + " ms"
                        + (result.message() == null ? "" : " — " + result.message()));
            }
            html.open("table", "id", "connections");
            ConsolePage.header(html, "Connection", "Type", "Version", "Plugin", "Capabilities", "Breaker", "");
            html.open("tbody");
            for (ConnectionRegistry.Entry entry : all) {
                String name = entry.connection().name();
                Connector connector = entry.connector();
                html.open("tr", "data-connection", name).element("td", name).element("td", connector.type())
                        .element("td", connector.version())
                        .element("td", plugin(connector), "title",
                                ConnectorOrigin.implementationOf(connector).getName())
                        .element("td", String.join(", ", connector.capabilities().stream().map(Enum::name).sorted()
                                .toList()))
                        .open("td");
                String state = engine.breaker(name).getState().name();
                EventsPage.state(html, state, state, null);
                html.close("td").open("td");
                ConsolePage.form(html, request, PATH + "/" + name + "/check", null)
                        .open("button", "type", "submit", "id", "check-" + name).text("Check").close("button")
                        .close("form");
                html.close("td").close("tr");
            }
            if (all.isEmpty()) {
                html.open("tr").element("td", "No connections are configured.", "colspan", "7").close("tr");
            }
            html.close("tbody").close("table");
        });
    }

    /** The jar (file name only) the connector was loaded from: which plugin provided it. */
    static String plugin(Connector connector) {
        return ConnectorOrigin.jarOf(ConnectorOrigin.implementationOf(connector));
    }
}
