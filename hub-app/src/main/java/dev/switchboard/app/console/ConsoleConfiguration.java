package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The console's sessions and the rules every console request follows: state-changing requests that came in by a
 * session cookie must carry the session's CSRF token and must not come from another site (by the browser's
 * {@code Sec-Fetch-Site} or {@code Origin}), and every console answer tells the browser to run only the
 * hub's own script and style, never to frame the page, and never to cache it.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration {

    /** The form field that carries the CSRF token. */
    static final String CSRF_FIELD = "csrf";
    /**
     * No inline script or style and nothing from elsewhere: even if a value escaped {@link Html}, the browser would
     * not run it.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @Bean
    ConsoleSessions consoleSessions(Clock clock,
                                    @Value("${switchboard.console.session-idle:30m}") Duration idle,
                                    @Value("${switchboard.console.session-max:12h}") Duration absolute) {
        return new ConsoleSessions(clock, idle, absolute);
    }

    @Bean
    WebMvcConfigurer consoleRequestRules() {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(new ConsoleRequestRules())
                        .addPathPatterns(BrowserSessions.PATH, BrowserSessions.PATH + "/**");
            }
        };
    }

    static final class ConsoleRequestRules implements HandlerInterceptor {

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                throws IOException {
            response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            response.setHeader("Referrer-Policy", "no-referrer");
            if (!request.getMethod().equals("POST")) {
                return true;
            }
            // A request let in by the bearer token has no session and no ambient credential to forge; one let in by
            // the cookie must prove it came from a page the hub rendered for that session.
            Optional<ConsoleSessions.Session> session = ConsoleSessions.of(request);
            if (session.isEmpty()) {
                return true;
            }
            // Besides the token, the browser's own word: a form posted from another site is refused even if that
            // site somehow learnt the token (the SameSite=Strict cookie should not even have been sent).
            if (crossSite(request)) {
                return forbidden(response, "the form was posted from another site; use the console's own pages");
            }
            if (ConsoleSessions.csrfMatches(session.get(), request.getParameter(CSRF_FIELD))) {
                return true;
            }
            return forbidden(response, "the form's CSRF token is missing or is not this session's: reload the page "
                    + "and try again");
        }

        /** Whether the browser says (Sec-Fetch-Site, Origin) that the request comes from a page of another origin. */
        private static boolean crossSite(HttpServletRequest request) {
            String site = request.getHeader("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                return true;
            }
            String origin = request.getHeader("Origin");
            if (origin == null || origin.equals("null")) {
                // Browsers send "null" for the console's own forms: its pages set Referrer-Policy: no-referrer.
                return false;
            }
            try {
                String authority = java.net.URI.create(origin.trim()).getRawAuthority();
                return authority == null || !authority.equalsIgnoreCase(request.getHeader("Host"));
            } catch (IllegalArgumentException e) {
                return true;
            }
        }

        private static boolean forbidden(HttpServletResponse response, String detail) throws IOException {
            response.setStatus(403);
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,"
                    + "\"detail\":\"" + detail + "\"}");
            return false;
        }
    }
}
