package dev.switchboard.connector.example;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.ModelRegistrySuite;
import dev.switchboard.conformance.WebhookEventSourceSuite;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.TagChange;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The example connector passes the kit: the config suite and the suites of the capabilities it claims. */
class ExampleConformanceTest extends ConnectorHarness
        implements ConfigSuite, ModelRegistrySuite, ActionTargetSuite, WebhookEventSourceSuite {

    private static final String SECRET = "example-webhook-secret-7f3a";
    private static final byte[] BODY = "model=churn&version=3&alias=champion".getBytes(StandardCharsets.UTF_8);

    @Override
    public Connector connector() {
        return new ExampleConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.ACTION_TARGET, Capability.EVENT_SOURCE);
    }

    @Override
    public Fidelity declaredFidelity() {
        return new ExampleConnector().fidelity();
    }

    @Override
    protected ConnectionConfig config() {
        return new ConnectionConfig("example-test", "example", Map.of("webhook-secret", SECRET));
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(config(), new ConnectionConfig("example-test", "example", Map.of("max-page-size", "5")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("page size is not a number",
                        new ConnectionConfig("example-test", "example", Map.of("max-page-size", "lots")))
                        .expect("max-page-size", "whole number"),
                BadConfig.of("page size zero and a typo",
                        new ConnectionConfig("example-test", "example", Map.of("max-page-size", "0", "max-pagesize", "5")))
                        .expect("max-page-size", "at least 1")
                        .expect("max-pagesize", "not an option"));
    }

    @Override
    public ActionTarget.Request sampleAction() {
        ResourceRef version = ResourceRef.of("example", "example-test", "model_version", "churn/1");
        CanonicalEvent event = new CanonicalEvent("evt-1", CanonicalEvent.sourceOf("example-test"),
                EventType.MODEL_VERSION_TAG_SET, "models/churn/versions/1", Instant.parse("2026-03-01T12:00:00Z"),
                new TagChange("churn", "1", "validated", "true", version));
        return new ActionTarget.Request("record-note", Map.of("note", "churn 1 validated"), event,
                "key-" + UUID.randomUUID());
    }

    @Override
    public WebhookRequest validWebhook() {
        return webhookSignedWith(SECRET);
    }

    @Override
    public WebhookRequest webhookSignedWith(String secret) {
        return new WebhookRequest("example-test", Map.of(
                "Content-Type", List.of("application/x-www-form-urlencoded"),
                ExampleWebhooks.DELIVERY, List.of("delivery-1"),
                ExampleWebhooks.SIGNATURE, List.of(ExampleWebhooks.sign(secret, BODY))), BODY, Instant.now());
    }

    @Override
    public String webhookSecret() {
        return SECRET;
    }

    @Override
    public String signatureHeader() {
        return ExampleWebhooks.SIGNATURE;
    }

    @Override
    public EventType expectedWebhookEventType() {
        return EventType.MODEL_VERSION_ALIAS_SET;
    }
}
