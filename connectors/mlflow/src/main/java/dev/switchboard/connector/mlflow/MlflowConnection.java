package dev.switchboard.connector.mlflow;

import dev.switchboard.connector.mlflow.internal.MlflowClient;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ExperimentTracker;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.WebhookRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One open MLflow connection; every port shares one HTTP client. Thread-safe: nothing here is mutable. */
final class MlflowConnection implements Connection {

    private final MlflowOptions.Settings settings;
    private final MlflowClient client;
    private final MlflowModelRegistry registry;
    private final MlflowExperimentTracker tracker;
    private final MlflowArtifactStore artifacts;
    private final MlflowActions actions;
    private final EventSource events;

    MlflowConnection(MlflowOptions.Settings settings, ConnectorContext context) {
        this.settings = settings;
        String name = settings.connection();
        this.client = new MlflowClient(name, settings.trackingUrl(), settings.authorization(), settings.workspace(),
                settings.requestTimeout(), context.clock());
        MlflowMapper mapper = new MlflowMapper(name, settings.trackingUrl());
        this.tracker = new MlflowExperimentTracker(client, mapper);
        this.registry = new MlflowModelRegistry(name, client, mapper, tracker);
        this.artifacts = new MlflowArtifactStore(name, client, tracker);
        this.actions = new MlflowActions(name, registry, mapper, context.artifacts());
        MlflowWebhooks webhooks = new MlflowWebhooks(name, settings.webhookSecret(), settings.webhookMaxAge(),
                context.clock(), mapper);
        MlflowPoller poller = new MlflowPoller(name, registry, mapper, settings.pageSize());
        this.events = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                return webhooks.receive(request);
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

    /** Searches one registered model: proves the server answers, the credentials work and the registry is on. */
    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.probe(name(), "MLflow at " + settings.trackingUrl(), timeout,
                () -> client.get("registered-models/search", Map.of("max_results", 1)),
                "MLflow model registry at " + settings.trackingUrl() + " answered");
    }

    @Override
    public Optional<ModelRegistry> modelRegistry() {
        return Optional.of(registry);
    }

    @Override
    public Optional<ArtifactStore> artifactStore() {
        return Optional.of(artifacts);
    }

    @Override
    public Optional<EventSource> eventSource() {
        return Optional.of(events);
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(actions);
    }

    @Override
    public Optional<ExperimentTracker> experimentTracker() {
        return Optional.of(tracker);
    }

    @Override
    public void close() {
        client.close();
    }
}
