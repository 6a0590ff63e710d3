package dev.switchboard.app.console;

import dev.switchboard.app.api.AdminToken;
import dev.switchboard.app.api.BrowserSessions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Login and logout. The admin token is typed into a form and sent in a POST body, so it never appears in a URL, a
 * browser's history or an access log; what the browser keeps is a session id ({@link ConsoleSessions}).
 */
@Controller
class ConsoleLoginController {

    private static final String HOME = BrowserSessions.PATH + "/events";

    private final AdminToken token;
    private final ConsoleSessions sessions;

    ConsoleLoginController(AdminToken token, ConsoleSessions sessions) {
        this.token = token;
        this.sessions = sessions;
    }

    @GetMapping(BrowserSessions.PATH)
    ResponseEntity<String> home() {
        return redirect(HOME);
    }

    @GetMapping(BrowserSessions.PATH + "/login")
    ResponseEntity<String> loginPage() {
        return ConsolePage.login(HttpStatus.OK, null);
    }

    @PostMapping(BrowserSessions.PATH + "/login")
    ResponseEntity<String> login(@RequestParam(name = "token", required = false) String candidate,
                                 HttpServletRequest request) {
        if (request.getQueryString() != null) {
            // A token in the address would be in access logs and the browser's history: refuse it even when right.
            return ConsolePage.login(HttpStatus.BAD_REQUEST, "Type the token into the form; the login address takes "
                    + "no query string.");
        }
        if (!token.matches(candidate)) {
            return ConsolePage.login(HttpStatus.UNAUTHORIZED, "That is not the hub's admin token.");
        }
        return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, HOME)
                .header(HttpHeaders.SET_COOKIE, cookie(sessions.open(), request.isSecure(), false)).build();
    }

    @PostMapping(BrowserSessions.PATH + "/logout")
    ResponseEntity<String> logout(HttpServletRequest request) {
        sessions.close(request);
        return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, BrowserSessions.PATH + "/login")
                .header(HttpHeaders.SET_COOKIE, cookie("", request.isSecure(), true)).build();
    }

    /**
     * The session cookie: sent to the console's paths only (not the API), unreadable by scripts, never sent on a
     * request another site starts, and over TLS only when the console was reached over TLS.
     */
    static String cookie(String value, boolean secure, boolean expire) {
        return ConsoleSessions.COOKIE + "=" + value + "; Path=" + BrowserSessions.PATH + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
    }

    private static ResponseEntity<String> redirect(String location) {
        return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, location).build();
    }
}
