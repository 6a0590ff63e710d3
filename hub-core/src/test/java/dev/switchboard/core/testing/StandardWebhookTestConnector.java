package dev.switchboard.core.testing;

import dev.switchboard.core.webhook.StandardWebhooks;
import dev.switchboard.core.webhook.WebhookJson;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRejectedException.Reason;
import dev.switchboard.spi.WebhookRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A test connector (type {@code std-webhook-test}) whose event source takes Standard Webhooks signed JSON:
 * {@code {"type": "model_version.alias_set", "model": "churn", "version": "3", "alias": "champion"}} becomes a
 * canonical event with the {@code webhook-id} as its id; {@code {"type": "ping"}} carries no event; any other type
 * is UNSUPPORTED.
 */
public class StandardWebhookTestConnector implements Connector {

    public static final String TYPE = "std-webhook-test";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public List<OptionDefinition> options() {
        return List.of(
                OptionDefinition.required("secret", OptionType.STRING, "The signing secret, whsec_…").asSecret(),
                OptionDefinition.optional("tolerance", OptionType.DURATION, "5m", "How old a webhook may be."));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.EVENT_SOURCE);
    }

    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        StandardWebhooks verifier = new StandardWebhooks(config.require("secret"),
                config.duration("tolerance").orElse(StandardWebhooks.DEFAULT_TOLERANCE));
        EventSource source = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                StandardWebhooks.Verified verified = verifier.verify(request);
                JsonNode body = WebhookJson.parse(request.body());
                String type = text(body, "type");
                if (type.equals("ping")) {
                    return List.of();
                }
                if (!type.equals(EventType.MODEL_VERSION_ALIAS_SET.typeName())) {
                    throw new WebhookRejectedException(Reason.UNSUPPORTED, "event type " + (NAME.matcher(type).matches()
                            ? type : "(not shown)") + " is not translated by connection " + config.name());
                }
                String model = name(body, "model");
                String version = name(body, "version");
                String alias = name(body, "alias");
                ResourceRef ref = ResourceRef.of("test", config.name(), "registered_model", model);
                return List.of(new CanonicalEvent(verified.id(), CanonicalEvent.sourceOf(config.name()),
                        EventType.MODEL_VERSION_ALIAS_SET, "models/" + model + "/versions/" + version,
                        verified.timestamp(), new AliasChange(model, alias, version, ref)));
            }

            @Override
            public PollResult poll(String cursor) {
                return new PollResult(List.of(), cursor);
            }
        };
        return new Connection() {
            @Override
            public String name() {
                return config.name();
            }

            @Override
            public CheckResult check(Duration timeout) {
                return CheckResult.ok("test source", Duration.ZERO);
            }

            @Override
            public Optional<EventSource> eventSource() {
                return Optional.of(source);
            }
        };
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.isObject() ? body.get(field) : null;
        if (value == null || !value.isString()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "body must be an object with a string field " + field);
        }
        return value.asString();
    }

    private static String name(JsonNode body, String field) {
        String value = text(body, field);
        if (!NAME.matcher(value).matches()) {
            throw new WebhookRejectedException(Reason.MALFORMED, "field " + field + " must be a plain name");
        }
        return value;
    }
}
