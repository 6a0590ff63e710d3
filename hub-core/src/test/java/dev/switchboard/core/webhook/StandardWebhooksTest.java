package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardWebhooksTest {

    // The example from the Standard Webhooks / Svix documentation.
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final Instant SENT = Instant.ofEpochSecond(1614265330);
    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String OTHER_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

    private final StandardWebhooks webhooks = new StandardWebhooks(SECRET);

    @Test
    void signsLikeTheSpecificationsExample() {
        assertThat(webhooks.sign(ID, SENT, BODY)).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aGoodSignaturePasses() {
        StandardWebhooks.Verified verified = webhooks.verify(request(webhooks.headers(ID, SENT, BODY), BODY, SENT));

        assertThat(verified.id()).isEqualTo(ID);
        assertThat(verified.timestamp()).isEqualTo(SENT);
    }

    @Test
    void aRotationListWithOneGoodSignaturePasses() {
        String old = new StandardWebhooks(OTHER_SECRET).sign(ID, SENT, BODY);
        Map<String, String> headers = webhooks.headers(ID, SENT, BODY);
        headers.put(StandardWebhooks.SIGNATURE, old + " v1a,c29tZXRoaW5nIGVsc2U= " + headers.get(StandardWebhooks.SIGNATURE));

        assertThat(webhooks.verify(request(headers, BODY, SENT.plusSeconds(60))).id()).isEqualTo(ID);
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsRejected() {
        Map<String, String> headers = new StandardWebhooks(OTHER_SECRET).headers(ID, SENT, BODY);

        assertRejected(headers, BODY, SENT, Reason.BAD_SIGNATURE, "wrong secret");
    }

    @Test
    void aChangedBodyIsRejected() {
        byte[] changed = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);

        assertRejected(webhooks.headers(ID, SENT, BODY), changed, SENT, Reason.BAD_SIGNATURE, "body");
    }

    @Test
    void aStaleOrFutureTimestampIsRejectedWithHowFarOffItIs() {
        Map<String, String> headers = webhooks.headers(ID, SENT, BODY);

        assertRejected(headers, BODY, SENT.plus(Duration.ofMinutes(6)), Reason.STALE, "360 s old");
        assertRejected(headers, BODY, SENT.minus(Duration.ofMinutes(6)), Reason.STALE, "360 s in the future");
        assertThat(webhooks.verify(request(headers, BODY, SENT.plus(Duration.ofMinutes(5)))).id()).isEqualTo(ID);
    }

    @Test
    void eachMissingHeaderIsNamed() {
        for (String header : List.of(StandardWebhooks.ID, StandardWebhooks.TIMESTAMP, StandardWebhooks.SIGNATURE)) {
            Map<String, String> headers = webhooks.headers(ID, SENT, BODY);
            headers.remove(header);
            assertRejected(headers, BODY, SENT, Reason.BAD_SIGNATURE, "missing header " + header);
        }
    }

    @Test
    void malformedHeadersAreRejectedWithTheirProblem() {
        String good = webhooks.sign(ID, SENT, BODY);
        assertRejected(with(StandardWebhooks.SIGNATURE, "garbage"), BODY, SENT, Reason.MALFORMED, "v1,<base64>");
        assertRejected(with(StandardWebhooks.SIGNATURE, "v1,"), BODY, SENT, Reason.MALFORMED, "entry 1");
        assertRejected(with(StandardWebhooks.SIGNATURE, good + " v1,***"), BODY, SENT, Reason.MALFORMED, "base64");
        assertRejected(with(StandardWebhooks.SIGNATURE, "v2," + good.substring(3)), BODY, SENT, Reason.BAD_SIGNATURE,
                "no v1 signature");
        assertRejected(with(StandardWebhooks.TIMESTAMP, "yesterday"), BODY, SENT, Reason.MALFORMED, "whole seconds");
        assertRejected(with(StandardWebhooks.ID, "a b"), BODY, SENT, Reason.MALFORMED, "printable");
    }

    @Test
    void rejectionsNeverShowTheSecretOrTheExpectedSignature() {
        String expected = webhooks.sign(ID, SENT, BODY);
        Map<String, String> headers = webhooks.headers(ID, SENT, BODY);
        headers.put(StandardWebhooks.SIGNATURE, "v1,AAAA");

        assertThatThrownBy(() -> webhooks.verify(request(headers, BODY, SENT)))
                .message().doesNotContain(SECRET.substring(6)).doesNotContain(expected.substring(3));
    }

    @Test
    void aSecretThatIsNotBase64IsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> new StandardWebhooks("whsec_not*base64!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("not*base64");
        assertThat(StandardWebhooks.isValidSecret(SECRET)).isTrue();
        assertThat(StandardWebhooks.isValidSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isFalse();
    }

    private Map<String, String> with(String header, String value) {
        Map<String, String> headers = webhooks.headers(ID, SENT, BODY);
        headers.put(header, value);
        return headers;
    }

    private void assertRejected(Map<String, String> headers, byte[] body, Instant now, Reason reason, String message) {
        assertThatThrownBy(() -> webhooks.verify(request(headers, body, now)))
                .isInstanceOfSatisfying(WebhookRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    static WebhookRequest request(Map<String, String> headers, byte[] body, Instant now) {
        Map<String, List<String>> multi = new HashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return new WebhookRequest("vendor", multi, body, now);
    }
}
