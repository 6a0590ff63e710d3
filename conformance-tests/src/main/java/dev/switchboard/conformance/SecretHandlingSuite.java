package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Options;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How webhooks treat the secret: only the exact secret verifies (not a prefix of it, not the secret with more
 * after it, not a truncated signature: the classic {@code startsWith} and {@code regionMatches} mistakes), a
 * connection with no webhook secret configured refuses webhooks (deny by default) unless its configuration is
 * refused first, and no rejection quotes the secret.
 *
 * <p>Compare secrets and signatures with {@code MessageDigest.isEqual} over the whole value (constant time, exact
 * length), or with the SPI's {@code WebhookSignatures}. Secrets in other messages (check results, errors of the
 * ports) are covered by {@link CheckSuite} and {@link ErrorClassificationSuite}, in validation problems by
 * {@link ConfigSuite}.
 */
public interface SecretHandlingSuite extends WebhookEventSourceSuite {

    /**
     * The test's configuration without its webhook secret. By default, {@link #connectionConfig()} less
     * every secret option whose name mentions {@code webhook}; override when yours is named otherwise.
     */
    default ConnectionConfig configWithoutWebhookSecret() {
        ConnectionConfig config = connectionConfig();
        Set<String> secret = Options.secrets(connector().options());
        Map<String, String> options = new LinkedHashMap<>(config.options());
        options.keySet().removeIf(name -> secret.contains(name) && name.contains("webhook"));
        assertThat(options).as("configWithoutWebhookSecret: no secret option named *webhook*; override it")
                .hasSizeLessThan(config.options().size());
        return new ConnectionConfig(config.name(), config.type(), options);
    }

    @Test
    default void webhookSignedWithAPrefixOfTheSecretIsRejected() {
        String secret = webhookSecret();
        for (String prefix : List.of(secret.substring(0, secret.length() - 1), secret.substring(0, 1))) {
            assertRejected(webhookSignedWith(prefix), "signed with the first " + prefix.length() + " characters of the secret");
        }
    }

    @Test
    default void webhookSignedWithTheSecretAndMoreIsRejected() {
        assertRejected(webhookSignedWith(webhookSecret() + "x"), "signed with the secret plus one character");
    }

    @Test
    default void webhookWithATruncatedSignatureIsRejected() {
        WebhookRequest valid = validWebhook();
        String signature = valid.header(signatureHeader()).orElseThrow(() -> new AssertionError(
                "validWebhook() has no " + signatureHeader() + " header"));
        // Base64 padding ('=') may be dropped without changing the bytes it encodes: cut into the signature itself.
        String unpadded = signature.replaceAll("=+$", "");
        for (int keep : new int[] {unpadded.length() - 1, unpadded.length() / 2}) {
            Map<String, List<String>> headers = new LinkedHashMap<>(valid.headers());
            headers.keySet().removeIf(name -> name.equalsIgnoreCase(signatureHeader()));
            headers.put(signatureHeader(), List.of(unpadded.substring(0, keep)));
            assertRejected(new WebhookRequest(valid.connection(), headers, valid.body(), valid.receivedAt()),
                    "with its " + signatureHeader() + " cut to " + keep + " characters");
        }
    }

    @Test
    default void webhooksAreRefusedWhenNoSecretIsConfigured() {
        webhookSource();
        ConnectionConfig config = configWithoutWebhookSecret();
        List<ConfigProblem> problems = connector().validate(config);
        assumeFalse(problems.stream().anyMatch(p -> p.path().contains("webhook")),
                "the connector refuses a configuration without a webhook secret: " + problems);
        WebhookRequest valid = validWebhook();
        Throwable thrown;
        List<CanonicalEvent> accepted = null;
        try (Connection open = connector().open(config, connectionContext())) {
            try {
                accepted = open.eventSource().orElseThrow().receive(valid);
                thrown = null;
            } catch (RuntimeException e) {
                thrown = e;
            }
        }
        assertThat(accepted).as("a webhook accepted by a connection with no webhook secret (deny by default)")
                .isNull();
        assertThat(thrown).isInstanceOf(WebhookRejectedException.class);
    }

    private void assertRejected(WebhookRequest request, String what) {
        Throwable thrown = catchThrowable(() -> webhookSource().receive(request));
        assertThat(thrown).as("a webhook %s must be rejected", what).isInstanceOf(WebhookRejectedException.class);
        assertThat(((WebhookRejectedException) thrown).reason()).as(what)
                .isEqualTo(WebhookRejectedException.Reason.BAD_SIGNATURE);
        assertThat(PointedConnector.messagesOf(thrown)).as("rejection messages never quote the secret")
                .noneMatch(message -> message.contains(webhookSecret()));
    }
}
