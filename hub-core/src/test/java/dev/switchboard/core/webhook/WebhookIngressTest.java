package dev.switchboard.core.webhook;

import static dev.switchboard.core.webhook.IngressFixture.aliasSet;
import static dev.switchboard.core.webhook.IngressFixture.signed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.webhook.WebhookIngress.Accepted;
import dev.switchboard.core.webhook.WebhookIngress.Problem;
import dev.switchboard.model.CanonicalEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the ingress accepts, and what it answers besides hostile input (see {@link HostileWebhooksTest}). */
class WebhookIngressTest {

    @TempDir
    Path directory;

    private IngressFixture hub;

    @BeforeEach
    void open() {
        hub = new IngressFixture(directory);
    }

    @AfterEach
    void close() {
        hub.close();
    }

    @Test
    void aVerifiedWebhookIsInTheInboxWhenReceiveReturnsAccepted() {
        byte[] body = aliasSet("churn");
        Map<String, List<String>> headers = signed(body);

        WebhookIngress.Result result = hub.send(body, headers);

        assertThat(result).isEqualTo(new Accepted("vendor", 1, 0, Optional.empty()));
        assertThat(result.status()).isEqualTo(202);
        String id = headers.get(StandardWebhooks.ID).get(0);
        assertThat(hub.store.inbox().find(CanonicalEvent.sourceOf("vendor"), id)).get()
                .satisfies(stored -> assertThat(stored.event().subject()).isEqualTo("models/churn/versions/3"));
        assertThat(hub.webhooks("accepted", "none")).isEqualTo(1);
    }

    @Test
    void aRedeliveredWebhookIsAcknowledgedAndStoredOnce() {
        byte[] body = aliasSet("churn");
        Map<String, List<String>> headers = signed(body);

        hub.send(body, headers);
        WebhookIngress.Result again = hub.send(body, headers);

        assertThat(again).isEqualTo(new Accepted("vendor", 0, 1, Optional.empty()));
        assertThat(hub.store.inbox().count()).isEqualTo(1);
        assertThat(hub.webhooks("duplicate", "none")).isEqualTo(1);
    }

    @Test
    void aPingIsAcknowledgedWithNothingStored() {
        byte[] body = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(hub.send(body, signed(body))).isEqualTo(new Accepted("vendor", 0, 0, Optional.empty()));
        assertThat(hub.store.inbox().count()).isZero();
    }

    @Test
    void anUnsupportedEventTypeIsAcknowledgedAsIgnoredAndNotStored() {
        byte[] body = "{\"type\":\"model_version.deleted\"}".getBytes(StandardCharsets.UTF_8);

        WebhookIngress.Result result = hub.send(body, signed(body));

        assertThat(result.status()).isEqualTo(202);
        assertThat(((Accepted) result).ignored()).get().asString().contains("model_version.deleted");
        assertThat(hub.store.inbox().count()).isZero();
        assertThat(hub.webhooks("ignored", "unsupported")).isEqualTo(1);
    }

    @Test
    void jsonWithACharsetOrAJsonSubtypeIsAccepted() {
        byte[] first = aliasSet("churn");
        byte[] second = aliasSet("fraud");

        assertThat(hub.ingress.receive("vendor", signed(first), first, "Application/JSON; charset=UTF-8").status())
                .isEqualTo(202);
        assertThat(hub.ingress.receive("vendor", signed(second), second, "application/cloudevents+json").status())
                .isEqualTo(202);
    }

    @Test
    void whenTheStoreIsDownTheSenderIsToldToComeBackLater() {
        byte[] body = aliasSet("churn");
        TestDatabases.close(hub.dataSource);

        WebhookIngress.Result result = hub.send(body, signed(body));

        assertThat(result).isInstanceOfSatisfying(Problem.class, problem -> {
            assertThat(problem.status()).isEqualTo(503);
            assertThat(problem.retryAfter()).contains(Duration.ofSeconds(30));
            assertThat(problem.code()).isEqualTo("store_unavailable");
        });
    }

    @Test
    void aRejectedWebhookIsAProblemCountedByReason() {
        byte[] body = aliasSet("churn");
        Map<String, List<String>> headers = signed(body);

        WebhookIngress.Result result = hub.send(aliasSet("fraud"), headers);

        assertThat(result).isInstanceOfSatisfying(Problem.class, problem -> {
            assertThat(problem.status()).isEqualTo(401);
            assertThat(problem.title()).isEqualTo("Unauthorized");
            assertThat(problem.type()).isEqualTo("about:blank");
            assertThat(problem.code()).isEqualTo("bad_signature");
        });
        assertThat(hub.webhooks("rejected", "bad_signature")).isEqualTo(1);
    }
    @Test
    void aStreamedBodyIsReadOnlyWhenItsDeclaredLengthFitsAndNeverBeyondTheLimit() throws Exception {
        byte[] body = aliasSet("churn");
        ByteArrayInputStream declaredTooLarge = new ByteArrayInputStream(body);
        ByteArrayInputStream unknownConnection = new ByteArrayInputStream(body);
        byte[] endless = new byte[IngressFixture.MAX_BODY * 3];
        ByteArrayInputStream chunkedTooLarge = new ByteArrayInputStream(endless);

        WebhookIngress.Result declared = hub.ingress.receive("vendor", signed(body), declaredTooLarge,
                IngressFixture.MAX_BODY + 1L, IngressFixture.JSON);
        WebhookIngress.Result unknown = hub.ingress.receive("nope", signed(body), unknownConnection, body.length,
                IngressFixture.JSON);
        WebhookIngress.Result chunked = hub.ingress.receive("vendor", signed(endless), chunkedTooLarge, -1,
                IngressFixture.JSON);
        WebhookIngress.Result streamed = hub.ingress.receive("vendor", signed(body),
                new ByteArrayInputStream(body), -1, IngressFixture.JSON);

        assertThat(declared.status()).isEqualTo(413);
        assertThat(((Problem) declared).detail()).contains("declared as " + (IngressFixture.MAX_BODY + 1) + " bytes");
        assertThat(declaredTooLarge.available()).as("bytes left unread").isEqualTo(body.length);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknownConnection.available()).isEqualTo(body.length);
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunkedTooLarge.available()).as("read at most the limit plus one byte")
                .isEqualTo(endless.length - IngressFixture.MAX_BODY - 1);
        assertThat(streamed.status()).isEqualTo(202);
    }

    @Test
    void aBodyThatStopsComingIsA408AndStoresNothing() {
        byte[] body = aliasSet("churn");
        InputStream cutShort = new SequenceInputStream(new ByteArrayInputStream(body, 0, 10),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new SocketTimeoutException("read timed out");
                    }
                });

        WebhookIngress.Result result = hub.ingress.receive("vendor", signed(body), cutShort, body.length,
                IngressFixture.JSON);

        assertThat(result).isInstanceOfSatisfying(Problem.class, problem -> {
            assertThat(problem.status()).isEqualTo(408);
            assertThat(problem.title()).isEqualTo("Request Timeout");
            assertThat(problem.code()).isEqualTo("incomplete_body");
            assertThat(problem.detail()).contains("Content-Length " + body.length);
        });
        assertThat(hub.store.inbox().count()).isZero();
    }
}
