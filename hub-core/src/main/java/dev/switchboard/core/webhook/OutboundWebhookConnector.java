package dev.switchboard.core.webhook;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.ConfigProblem;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Connector type {@code webhook}: sends canonical events to any HTTP endpoint as CloudEvents JSON, signed the
 * Standard Webhooks way. Its one action, {@code send-event}, posts the route's event; the {@code webhook-id} is the
 * delivery's idempotency key, so a receiver that de-duplicates by it sees each event once despite retries.
 */
public final class OutboundWebhookConnector implements Connector {

    public static final String TYPE = "webhook";
    public static final String SEND_EVENT = "send-event";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return Connector.versionOf(getClass());
    }

    @Override
    public List<OptionDefinition> options() {
        return List.of(
                OptionDefinition.required("url", OptionType.URL, "Where to POST events."),
                OptionDefinition.required("secret", OptionType.STRING,
                        "The Standard Webhooks signing secret, whsec_ followed by base64; share it with the receiver.")
                        .asSecret(),
                OptionDefinition.optional("timeout", OptionType.DURATION, "10s",
                        "How long one POST may take before it counts as a transient failure."));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public List<ConfigProblem> validate(ConnectionConfig config) {
        List<ConfigProblem> problems = new ArrayList<>(Connector.super.validate(config));
        config.string("secret").filter(secret -> !StandardWebhooks.isValidSecret(secret)).ifPresent(secret ->
                problems.add(new ConfigProblem(config.optionPath("secret"), "must be "
                        + StandardWebhooks.SECRET_PREFIX + " followed by base64, was (secret, not shown)")));
        return problems;
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        Duration timeout = config.duration("timeout").orElse(Duration.ofSeconds(10));
        URI url = config.url("url").orElseThrow();
        // HTTP/2 where TLS negotiates it; over plain http the JDK client would offer every new connection an h2c
        // upgrade, which webhook receivers do not speak.
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .version("https".equalsIgnoreCase(url.getScheme()) ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        WebhookSender sender = new WebhookSender(config.name(), url,
                new StandardWebhooks(config.require("secret")), client, timeout, context.clock());
        return new Connection() {
            @Override
            public String name() {
                return config.name();
            }

            @Override
            public CheckResult check(Duration checkTimeout) {
                // A receiver has no standard probe, and a test POST would be an event; say what we know.
                return CheckResult.ok("webhook target " + sender.target() + " is configured; not probed", Duration.ZERO);
            }

            @Override
            public Optional<ActionTarget> actionTarget() {
                return Optional.of(sender);
            }
        };
    }
}
