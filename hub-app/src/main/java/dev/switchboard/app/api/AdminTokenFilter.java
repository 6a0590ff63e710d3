package dev.switchboard.app.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the admin API ({@code /api/**}) and the actuator (but its health probe) with a bearer token. Webhooks are
 * not behind it: they are authenticated by their signatures. The comparison is constant-time, and the 401 never
 * echoes what was sent.
 */
class AdminTokenFilter extends OncePerRequestFilter {

    private final byte[] token;

    AdminTokenFilter(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        boolean actuator = path.startsWith("/actuator/") && !path.startsWith("/actuator/health");
        return !path.startsWith("/api/") && !actuator;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        String detail = header == null
                ? "The admin API needs an Authorization: Bearer <token> header (switchboard.api.token, or the file "
                        + "admin-token in the hub's data directory)."
                : "The bearer token is not the hub's admin token.";
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\""
                + detail + "\",\"instance\":\"" + request.getRequestURI().replace("\"", "") + "\"}");
    }
}
