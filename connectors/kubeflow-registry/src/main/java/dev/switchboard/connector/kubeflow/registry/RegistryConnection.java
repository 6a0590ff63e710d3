package dev.switchboard.connector.kubeflow.registry;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One open Kubeflow Model Registry connection; every port shares one HTTP client. */
final class RegistryConnection implements Connection {

    /** The Model Registry REST API this connector speaks. */
    static final String API = "/api/model_registry/v1alpha3";

    private final RegistryOptions.Settings settings;
    private final KubeflowClient client;
    private final KubeflowModelRegistry registry;
    private final RegistryActions actions;
    private final EventSource events;

    RegistryConnection(RegistryOptions.Settings settings, ConnectorContext context) {
        this(settings, context, new RegistryMapper(settings.connection()));
    }

    /** With a given mapper: the kit's proof that a wrong customProperties mapping fails the suites uses this. */
    RegistryConnection(RegistryOptions.Settings settings, ConnectorContext context, RegistryMapper mapper) {
        this.settings = settings;
        String name = settings.connection();
        this.client = new KubeflowClient(name, settings.url(), RegistryConnection.API, settings.token(), settings.userHeader(),
                settings.requestTimeout());
        this.registry = new KubeflowModelRegistry(name, client, mapper, settings.pageSize());
        this.actions = new RegistryActions(name, client, registry, context.artifacts());
        RegistryPoller poller = new RegistryPoller(name, client, registry, settings.pageSize());
        this.events = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                throw new WebhookRejectedException(WebhookRejectedException.Reason.UNSUPPORTED,
                        "the Kubeflow Model Registry sends no webhooks; the hub polls it");
            }

            @Override
            public boolean polls() {
                return true;
            }

            @Override
            public PollResult poll(String cursor) {
                return poller.poll(cursor);
            }
        };
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Lists one registered model: the server answers, the token and user header are accepted. */
    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.probe(name(), "Kubeflow Model Registry at " + settings.url(), timeout,
                () -> client.get("/registered_models", Map.of("pageSize", 1)),
                "Kubeflow Model Registry at " + settings.url() + " answered");
    }

    @Override
    public Optional<ModelRegistry> modelRegistry() {
        return Optional.of(registry);
    }

    @Override
    public Optional<EventSource> eventSource() {
        return Optional.of(events);
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(actions);
    }
}
