package dev.switchboard.app.console;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The frame every console page shares: head, navigation, logout, and the helpers for forms that change state (each
 * carries the session's CSRF token). Pages are whole documents, so they work without JavaScript; {@code console.js}
 * only refreshes the parts marked {@code data-live} and asks before a {@code data-confirm} form is sent.
 */
final class ConsolePage {

    /** The sections in the navigation, as path and label. */
    private static final List<String[]> SECTIONS = List.of(
            new String[] {"/console/events", "Events"},
            new String[] {"/console/deliveries", "Deliveries"},
            new String[] {"/console/dead-letters", "Dead letters"},
            new String[] {"/console/sync", "Sync jobs"},
            new String[] {"/console/connections", "Connections"});

    private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

    private ConsolePage() {
    }

    static ResponseEntity<String> render(HttpServletRequest request, String title, String section,
                                         Consumer<Html> body) {
        return render(request, HttpStatus.OK, title, section, body);
    }

    static ResponseEntity<String> render(HttpServletRequest request, HttpStatus status, String title, String section,
                                         Consumer<Html> body) {
        Html html = new Html();
        head(html, title);
        html.open("body").open("header").element("span", "Switchboard", "class", "brand").open("nav");
        for (String[] link : SECTIONS) {
            html.link(link[0], link[1], "class", link[0].equals(section) ? "active" : null);
        }
        html.close("nav");
        form(html, request, "/console/logout", null);
        html.open("button", "type", "submit", "id", "logout").text("Log out").close("button").close("form");
        html.close("header").open("main").element("h1", title);
        body.accept(html);
        html.close("main").open("script", "src", "/console/assets/console.js").close("script")
                .close("body").close("html");
        return respond(status, html);
    }

    /** The login page: no navigation, no script. */
    static ResponseEntity<String> login(HttpStatus status, String message) {
        Html html = new Html();
        head(html, "Log in");
        html.open("body", "class", "login").open("main").element("h1", "Switchboard console");
        if (message != null) {
            html.element("p", message, "class", "error", "id", "login-error");
        }
        html.open("form", "method", "post", "action", "/console/login")
                .element("label", "Admin token", "for", "token")
                .open("input", "type", "password", "id", "token", "name", "token", "autocomplete", "off",
                        "required", "", "autofocus", "")
                .open("button", "type", "submit", "id", "login").text("Log in").close("button")
                .close("form")
                .element("p", "The token is switchboard.api.token, or the file admin-token in the hub's data "
                        + "directory.", "class", "hint")
                .close("main").close("body").close("html");
        return respond(status, html);
    }

    /** Opens a POST form to {@code action} with the session's CSRF token; the caller adds fields and closes it. */
    static Html form(Html html, HttpServletRequest request, String action, String confirm) {
        html.open("form", "method", "post", "action", action, "data-confirm", confirm, "class", "inline");
        ConsoleSessions.of(request).ifPresent(session -> html.hidden(ConsoleConfiguration.CSRF_FIELD, session.csrf()));
        return html;
    }

    /** A table header row. */
    static Html header(Html html, String... columns) {
        html.open("thead").open("tr");
        for (String column : columns) {
            html.element("th", column);
        }
        return html.close("tr").close("thead");
    }

    /** A notice above a page's content: what an action did, or why the input was refused. */
    static Html notice(Html html, String kind, String text) {
        return html.element("p", text, "class", "notice " + kind, "id", "notice");
    }

    private static void head(Html html, String title) {
        html.open("!DOCTYPE html").open("html", "lang", "en").open("head")
                .open("meta", "charset", "utf-8")
                .open("meta", "name", "viewport", "content", "width=device-width, initial-scale=1")
                .element("title", title + " · Switchboard")
                .open("link", "rel", "stylesheet", "href", "/console/assets/console.css")
                .close("head");
    }

    private static ResponseEntity<String> respond(HttpStatus status, Html html) {
        return ResponseEntity.status(status).contentType(HTML)
                .cacheControl(CacheControl.noStore()).body(html.toString());
    }
}
