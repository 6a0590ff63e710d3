package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The webhook half of {@link EventSource}: a delivery signed exactly as the tool signs it is verified and
 * translated; a wrong secret, a changed body, a missing signature and (where the tool sends a timestamp) a stale
 * delivery are each rejected with the right {@link WebhookRejectedException.Reason}; redeliveries keep their
 * event ids; rejection messages never contain the secret.
 *
 * <p>The fixtures build deliveries in the tool's real wire format; the kit's fakes offer senders for that
 * (for MLflow, {@code MlflowWebhookSender}).
 */
public interface WebhookEventSourceSuite extends ConnectorUnderTest {

    /** A delivery of one registry change, signed with the secret the connection is configured with. */
    WebhookRequest validWebhook();

    /** The same delivery, signed with {@code secret} instead. */
    WebhookRequest webhookSignedWith(String secret);

    /** The configured secret, to check that no rejection message repeats it. */
    String webhookSecret();

    /** The header carrying the signature; the suite removes it to test a missing signature. */
    String signatureHeader();

    /** The canonical type {@link #validWebhook()} translates to. */
    EventType expectedWebhookEventType();

    /**
     * A correctly signed delivery whose timestamp is outside the accepted window, or empty when the tool's
     * webhooks carry no timestamp (the test is then skipped with that reason).
     */
    default Optional<WebhookRequest> staleWebhook() {
        return Optional.empty();
    }

    /**
     * Whether the tool's signature covers the body. Tools that authenticate webhooks with a shared secret in a
     * header instead (EventBridge API destinations, GitLab's {@code X-Gitlab-Token}) return {@code false}: the
     * tests that change the body are then skipped with that reason, and the test class should prove that a
     * malformed body is rejected as {@code MALFORMED} instead.
     */
    default boolean signatureCoversBody() {
        return true;
    }

    /** The event source port, or a skip when the connector does not claim one. */
    default EventSource webhookSource() {
        assumeCapability(Capability.EVENT_SOURCE);
        return connection().eventSource().orElseThrow(() -> new AssertionError(
                "connector claims EVENT_SOURCE but the connection offers no EventSource"));
    }

    @Test
    default void validWebhookIsTranslatedIntoCanonicalEvents() {
        List<CanonicalEvent> events = webhookSource().receive(validWebhook());
        assertThat(events).isNotEmpty().allSatisfy(event -> {
            assertThat(event.id()).isNotBlank();
            assertThat(event.source()).isEqualTo(CanonicalEvent.sourceOf(connection().name()));
            assertThat(event.subject()).isNotBlank();
        });
        assertThat(events).extracting(CanonicalEvent::type).contains(expectedWebhookEventType());
    }

    @Test
    default void redeliveredWebhookKeepsItsEventIds() {
        EventSource source = webhookSource();
        List<String> first = source.receive(validWebhook()).stream().map(CanonicalEvent::id).toList();
        List<String> again = source.receive(validWebhook()).stream().map(CanonicalEvent::id).toList();
        assertThat(again).isEqualTo(first);
    }

    @Test
    default void webhookSignedWithAnotherSecretIsRejected() {
        EventSource source = webhookSource();
        WebhookRejectedException e = rejection(source, webhookSignedWith("not-the-" + webhookSecret()));
        assertThat(e.reason()).isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).doesNotContain(webhookSecret());
    }

    /** Appends a space: still valid JSON, so only a signature over the raw bytes notices. */
    @Test
    default void webhookWithChangedBodyIsRejected() {
        EventSource source = webhookSource();
        assumeBodyIsSigned();
        WebhookRequest valid = validWebhook();
        byte[] changed = Arrays.copyOf(valid.body(), valid.body().length + 1);
        changed[changed.length - 1] = ' ';
        WebhookRejectedException e = rejection(source, withBody(valid, changed));
        assertThat(e.reason()).isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).doesNotContain(webhookSecret());
    }

    @Test
    default void webhookWithoutSignatureIsRejected() {
        EventSource source = webhookSource();
        WebhookRejectedException e = rejection(source, withoutHeader(validWebhook(), signatureHeader()));
        assertThat(e.reason()).isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE);
        assertThat(e.getMessage()).containsIgnoringCase(signatureHeader());
    }

    @Test
    default void staleWebhookIsRejected() {
        EventSource source = webhookSource();
        Optional<WebhookRequest> stale = staleWebhook();
        org.junit.jupiter.api.Assumptions.assumeTrue(stale.isPresent(),
                "the tool's webhooks carry no timestamp, so there is no replay window to test");
        WebhookRejectedException e = rejection(source, stale.get());
        assertThat(e.reason()).isEqualTo(WebhookRejectedException.Reason.STALE);
    }

    @Test
    default void bodyReplacedByNonJsonIsRejectedAsABadSignature() {
        EventSource source = webhookSource();
        assumeBodyIsSigned();
        WebhookRequest garbage = withBody(validWebhook(), "not json".getBytes(StandardCharsets.UTF_8));
        WebhookRejectedException e = rejection(source, garbage);
        assertThat(e.reason()).as("a changed body must fail the signature before it is parsed")
                .isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE);
    }

    private void assumeBodyIsSigned() {
        org.junit.jupiter.api.Assumptions.assumeTrue(signatureCoversBody(),
                "the tool authenticates webhooks with a shared secret header, not a signature over the body");
    }

    private static WebhookRejectedException rejection(EventSource source, WebhookRequest request) {
        WebhookRejectedException e = catchThrowableOfType(WebhookRejectedException.class,
                () -> source.receive(request));
        assertThat(e).as("the webhook must be rejected").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    /** {@code request} with another body and the same headers. */
    static WebhookRequest withBody(WebhookRequest request, byte[] body) {
        return new WebhookRequest(request.connection(), request.headers(), body, request.receivedAt());
    }

    /** {@code request} without the header {@code name} (any case). */
    static WebhookRequest withoutHeader(WebhookRequest request, String name) {
        Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
        headers.keySet().removeIf(key -> key.equalsIgnoreCase(name));
        return new WebhookRequest(request.connection(), headers, request.body(), request.receivedAt());
    }
}
