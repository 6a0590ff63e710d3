package dev.switchboard.app.api;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Recognises a request that carries a live browser session (the console's login cookie). {@link AdminAccessFilter}
 * asks it only for paths under {@link #PATH}: a session opens the console's pages and actions, never the API, so a
 * cookie the browser sends on its own cannot reach {@code /api/**}. Implemented by the console; the API package knows
 * nothing else about it.
 */
public interface BrowserSessions {

    /** The paths a browser session opens: this one and everything below it. */
    String PATH = "/console";

    /** Whether {@code request} carries a session that is live now. */
    boolean authenticated(HttpServletRequest request);
}
