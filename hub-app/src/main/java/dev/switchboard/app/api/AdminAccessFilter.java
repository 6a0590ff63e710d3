package dev.switchboard.app.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The hub's front door, in front of every handler: it refuses ambiguous request paths, then lets a request through
 * only when its path is public or it carries the admin bearer token. Deny by default: a path that is not listed
 * below needs the token, whatever handler it would reach.
 *
 * <p>Public without a token: {@code POST /webhooks/{connection}} (authenticated by the connection's signature),
 * {@code GET /actuator/health} and below (probes), the static API description ({@code /api-docs.html},
 * {@code /openapi/**}, {@code /webjars/**}), which holds no data, and the console's login form and its stylesheet
 * ({@code GET|POST /console/login}, {@code GET /console/assets/console.css}). Below {@code /console}, a live browser
 * session ({@link BrowserSessions}) stands in for the token; a page asked for without either is answered with a
 * redirect to the login form rather than a problem, since a person is reading it.
 *
 * <p>The decision is made on the path the servlet container decoded and normalised, and only after
 * {@link #ambiguity} has refused every request whose raw path could be read as another one ({@code ;} path
 * parameters, percent-encoding, {@code ..}, {@code //}, backslashes): the raw and the decoded path are then the same
 * text, so what is authorised is exactly what Spring MVC routes. Tokens are compared by {@link AdminToken}, in constant
 * time whatever their length, and neither a token nor the refused path is echoed.
 */
final class AdminAccessFilter extends OncePerRequestFilter {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private static final String LOGIN = BrowserSessions.PATH + "/login";
    private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("access_token", "token", "api_key", "apikey",
            "auth", "authorization", "bearer", "admin_token");
    /** Larger than any route file {@code /api/v1/routes/validate} takes (1,000,000 characters) or a filter body. */
    static final long MAX_API_BODY_BYTES = 4L * 1024 * 1024;

    private final AdminToken token;
    private final BrowserSessions sessions;

    /** @param sessions the console's sessions, or null when there is no console: then no cookie opens anything */
    AdminAccessFilter(AdminToken token, BrowserSessions sessions) {
        this.token = token;
        this.sessions = sessions;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!METHODS.contains(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, String.join(", ", METHODS.stream().sorted().toList()));
            Problems.write(response, 405, "the hub does not answer " + plain(request.getMethod()) + " requests");
            return;
        }
        Optional<String> ambiguity = ambiguity(request);
        if (ambiguity.isPresent()) {
            Problems.write(response, 400, ambiguity.get());
            return;
        }
        if (tokenInQuery(request)) {
            // Refused before anything else, and even with the right header: a URL ends up in access logs, proxies and
            // browser history, so a token there is one to rotate, not one to accept.
            Problems.write(response, 400, "a token may not be sent in the query string; send the admin token in the "
                    + "Authorization: Bearer header only (and rotate it if it was sent in a URL)");
            return;
        }
        String path = path(request);
        if (isPublic(request.getMethod(), path) || hasToken(request)) {
            if (path.startsWith("/api/") && request.getContentLengthLong() > MAX_API_BODY_BYTES) {
                Problems.write(response, 413, "body: " + request.getContentLengthLong() + " bytes declared; the API "
                        + "accepts at most " + MAX_API_BODY_BYTES);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        boolean console = path.equals(BrowserSessions.PATH) || path.startsWith(BrowserSessions.PATH + "/");
        if (console && sessions != null && sessions.authenticated(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (console && request.getMethod().equals("GET")) {
            // A fixed target: the page asked for is not carried along, so the login form cannot be made to redirect
            // anywhere else.
            response.setStatus(303);
            response.setHeader(HttpHeaders.LOCATION, request.getContextPath() + LOGIN);
            return;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
        Problems.write(response, 401, request.getHeader(HttpHeaders.AUTHORIZATION) == null
                ? "this path needs an Authorization: Bearer <token> header (switchboard.api.token, or the file "
                        + "admin-token in the hub's data directory)"
                : "the bearer token is not the hub's admin token");
    }

    /** Why the raw request path is refused, or empty when it has one plain spelling. */
    static Optional<String> ambiguity(HttpServletRequest request) {
        String raw = request.getRequestURI();
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            return Optional.of("the request path must start with /");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return Optional.of("the request path may hold printable ASCII characters only");
            }
            if (c == '%') {
                return Optional.of("the request path may not be percent-encoded: spell it plainly");
            }
            if (c == ';') {
                return Optional.of("the request path may not carry path parameters (;)");
            }
            if (c == '\\') {
                return Optional.of("the request path may not contain a backslash");
            }
        }
        if (raw.contains("//")) {
            return Optional.of("the request path may not contain an empty segment (//)");
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("the request path may not contain . or .. segments");
            }
        }
        // Nothing above should let the container decode or normalise the path into another text; if it did, the
        // authorisation below would be about a path other than the one the client sent.
        if (!raw.equals(request.getContextPath() + path(request))) {
            return Optional.of("the request path is not in its normal form");
        }
        return Optional.empty();
    }

    /** The decoded, normalised path within the application, the one handlers are mapped on. */
    private static String path(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }

    static boolean isPublic(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (method.equals("POST") && path.startsWith("/webhooks/")) {
            String connection = path.substring("/webhooks/".length());
            return !connection.isEmpty() && connection.indexOf('/') < 0;
        }
        if (method.equals("POST") && path.equals(LOGIN)) {
            return true;
        }
        return read && (path.equals("/actuator/health") || path.startsWith("/actuator/health/")
                || path.equals("/api-docs.html") || path.startsWith("/openapi/") || path.startsWith("/webjars/")
                || path.equals(LOGIN) || path.equals(BrowserSessions.PATH + "/assets/console.css"));
    }

    /** A query parameter named like a credential (RFC 6750's {@code access_token} and kin), or the admin token. */
    private boolean tokenInQuery(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String pair : query.split("&")) {
            String[] nameAndValue = pair.split("=", 2);
            String name;
            String value;
            try {
                name = URLDecoder.decode(nameAndValue[0], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                value = nameAndValue.length < 2 ? "" : URLDecoder.decode(nameAndValue[1], StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformedEscape) {
                continue; // the container refuses the query itself
            }
            if (CREDENTIAL_PARAMETERS.contains(name.replace('-', '_')) || token.matches(value)
                    || token.matches(name)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasToken(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && token.matches(header.substring(7));
    }

    private static String plain(String method) {
        return method.matches("[A-Z]{1,16}") ? method : "such";
    }
}
