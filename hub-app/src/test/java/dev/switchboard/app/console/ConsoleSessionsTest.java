package dev.switchboard.app.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.MutableClock;
import jakarta.servlet.http.Cookie;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ConsoleSessionsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private final ConsoleSessions sessions = new ConsoleSessions(clock, Duration.ofMinutes(30), Duration.ofHours(12));

    @Test
    void aSessionIsRefusedOnceItHasBeenIdleForTheIdleTimeout() {
        String id = sessions.open();
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.authenticated(request(id))).isTrue();

        clock.advance(Duration.ofMinutes(30));

        assertThat(sessions.authenticated(request(id))).isFalse();
        assertThat(sessions.size()).as("the expired session is forgotten").isZero();
    }

    @Test
    void aSessionInUseStillEndsAtItsAbsoluteExpiry() {
        String id = sessions.open();
        for (int i = 0; i < 12 * 3 - 1; i++) {
            clock.advance(Duration.ofMinutes(20));
            assertThat(sessions.authenticated(request(id))).as("after %d minutes", (i + 1) * 20).isTrue();
        }

        clock.advance(Duration.ofMinutes(20));

        assertThat(sessions.authenticated(request(id))).isFalse();
    }

    @Test
    void onlyTheIdThatWasHandedOutOpensTheSessionAndItsRequestCarriesTheCsrfToken() {
        String id = sessions.open();
        MockHttpServletRequest request = request(id);

        assertThat(sessions.authenticated(request(id.substring(1) + "A"))).isFalse();
        assertThat(sessions.authenticated(request("x".repeat(43)))).isFalse();
        assertThat(sessions.authenticated(request(id + "x"))).isFalse();
        assertThat(sessions.authenticated(new MockHttpServletRequest())).isFalse();
        assertThat(sessions.authenticated(request)).isTrue();
        ConsoleSessions.Session session = ConsoleSessions.of(request).orElseThrow();
        assertThat(ConsoleSessions.csrfMatches(session, session.csrf())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(session, session.csrf() + "x")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, null)).isFalse();
        assertThat(session.csrf()).isNotEqualTo(id);
    }

    @Test
    void closingASessionRefusesItsCookieFromThenOn() {
        String id = sessions.open();
        String other = sessions.open();

        sessions.close(request(id));

        assertThat(sessions.authenticated(request(id))).isFalse();
        assertThat(sessions.authenticated(request(other))).isTrue();
    }

    private static MockHttpServletRequest request(String id) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/console/events");
        request.setCookies(new Cookie(ConsoleSessions.COOKIE, id));
        return request;
    }
}
