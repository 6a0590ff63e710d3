package dev.switchboard.connector.kubeflow.pipelines;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRejectedException;
import dev.switchboard.spi.WebhookRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One open Kubeflow Pipelines connection. */
final class KfpConnection implements Connection {

    /** The Pipelines API this connector speaks. */
    static final String API = "/apis/v2beta1";

    private final KfpOptions.Settings settings;
    private final KubeflowClient client;
    private final KfpRuns runs;
    private final EventSource events;

    KfpConnection(KfpOptions.Settings settings) {
        this.settings = settings;
        this.client = new KubeflowClient(settings.connection(), settings.url(), KfpConnection.API, settings.token(), Optional.empty(),
                settings.requestTimeout());
        this.runs = new KfpRuns(settings, client);
        this.events = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                throw new WebhookRejectedException(WebhookRejectedException.Reason.UNSUPPORTED,
                        "Kubeflow Pipelines sends no webhooks; the hub polls it");
            }

            @Override
            public boolean polls() {
                return true;
            }

            @Override
            public PollResult poll(String cursor) {
                return runs.poll(cursor);
            }
        };
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Lists one run of the namespace: the server answers and accepts the token. */
    @Override
    public CheckResult check(Duration timeout) {
        return CheckResult.probe(name(), "Kubeflow Pipelines at " + settings.url(), timeout,
                () -> client.get("/runs", KubeflowClient.query("page_size", 1, "namespace", settings.namespace().orElse(null))),
                "Kubeflow Pipelines at " + settings.url() + " answered");
    }

    @Override
    public Optional<ActionTarget> actionTarget() {
        return Optional.of(runs);
    }

    @Override
    public Optional<EventSource> eventSource() {
        return Optional.of(events);
    }
}
