package dev.switchboard.app.console;

import dev.switchboard.app.api.BrowserSessions;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's login sessions, held in this hub's memory: a session id is 256 random bits, sent to the browser as
 * an HttpOnly, SameSite=Strict cookie; the hub keeps only its SHA-256 digest, mapped to the session's CSRF token and
 * times. The admin token itself never goes into the cookie, so a stolen cookie is worth one session and dies at
 * logout, on idle or at its absolute expiry, or when the hub restarts.
 *
 * <p>Sessions live in one process: behind a load balancer with several hubs, the console needs sticky sessions (or
 * a login per instance). Each session carries a CSRF token that every state-changing console request must echo
 * ({@link ConsoleConfiguration}): SameSite=Strict already keeps the cookie off cross-site requests, and the token
 * covers browsers or proxies that do not honour it.
 */
public final class ConsoleSessions implements BrowserSessions {

    /** The cookie's name; its path is {@link BrowserSessions#PATH}, so it is never sent to the API. */
    public static final String COOKIE = "switchboard_console";
    /** A request attribute holding the {@link Session} of a request the filter let in by its cookie. */
    static final String ATTRIBUTE = ConsoleSessions.class.getName() + ".session";
    /** More live sessions than any team of operators needs; the oldest gives way. */
    private static final int MAX_SESSIONS = 1000;

    /**
     * One login.
     *
     * @param csrf     the token that state-changing requests of this session must carry
     * @param created  when the token was typed in
     * @param lastSeen the last request, for the idle timeout
     */
    record Session(String csrf, Instant created, Instant lastSeen) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;

    ConsoleSessions(Clock clock, Duration idle, Duration absolute) {
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
    }

    /** Opens a session and returns its id, which only the browser's cookie holds. */
    String open() {
        String id = randomToken();
        Instant now = clock.instant();
        if (sessions.size() >= MAX_SESSIONS) {
            expire(now);
            sessions.entrySet().stream().min(Comparator.comparing(entry -> entry.getValue().lastSeen()))
                    .ifPresent(oldest -> sessions.remove(oldest.getKey()));
        }
        sessions.put(digest(id), new Session(randomToken(), now, now));
        return id;
    }

    /** Ends the session of {@code request}, if it has one. */
    void close(HttpServletRequest request) {
        cookie(request).ifPresent(id -> sessions.remove(digest(id)));
    }

    @Override
    public boolean authenticated(HttpServletRequest request) {
        Optional<Session> session = touch(request);
        session.ifPresent(live -> request.setAttribute(ATTRIBUTE, live));
        return session.isPresent();
    }

    /** The live session of {@code request}, its idle clock restarted; empty for a missing, unknown or expired one. */
    Optional<Session> touch(HttpServletRequest request) {
        Optional<String> id = cookie(request);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String key = digest(id.get());
        Session session = sessions.computeIfPresent(key, (k, found) -> live(found, now)
                ? new Session(found.csrf(), found.created(), now) : null);
        return Optional.ofNullable(session);
    }

    /** The session the filter found for {@code request}, if it came in by cookie rather than by bearer token. */
    static Optional<Session> of(HttpServletRequest request) {
        return Optional.ofNullable((Session) request.getAttribute(ATTRIBUTE));
    }

    /** Whether {@code candidate} is the CSRF token of {@code session}, compared in constant time. */
    static boolean csrfMatches(Session session, String candidate) {
        return candidate != null && MessageDigest.isEqual(session.csrf().getBytes(StandardCharsets.US_ASCII),
                candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** How long a session lasts without a request. */
    Duration idle() {
        return idle;
    }

    int size() {
        return sessions.size();
    }

    private boolean live(Session session, Instant now) {
        return now.isBefore(session.lastSeen().plus(idle)) && now.isBefore(session.created().plus(absolute));
    }

    private void expire(Instant now) {
        sessions.values().removeIf(session -> !live(session, now));
    }

    private static Optional<String> cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        for (Cookie cookie : cookies) {
            // Only the shape open() makes: anything else cannot be a session and is not worth a digest.
            if (COOKIE.equals(cookie.getName()) && cookie.getValue() != null
                    && cookie.getValue().matches("[A-Za-z0-9_-]{43}")) {
                return Optional.of(cookie.getValue());
            }
        }
        return Optional.empty();
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String digest(String id) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
