package dev.switchboard.connector.sagemaker;

import dev.switchboard.connector.sagemaker.internal.SageMakerClients;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.CheckResult;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.ModelRegistry;
import dev.switchboard.spi.WebhookRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/** One open SageMaker connection; every port shares one SDK client, which is thread-safe. */
final class SageMakerConnection implements Connection {

    private final SageMakerOptions.Settings settings;
    private final SageMakerClient client;
    private final SageMakerErrors errors;
    private final SageMakerModelRegistry registry;
    private final SageMakerActions actions;
    private final EventSource events;

    SageMakerConnection(SageMakerOptions.Settings settings, ConnectorContext context) {
        this.settings = settings;
        String name = settings.connection();
        this.errors = new SageMakerErrors(name, Stream.of(settings.accessKeyId(), settings.secretAccessKey(),
                settings.sessionToken(), settings.webhookSecret()).flatMap(Optional::stream).toList());
        try {
            this.client = SageMakerClients.create(settings.region(), settings.accessKeyId(), settings.secretAccessKey(),
                    settings.sessionToken(), settings.endpointOverride(), settings.maxAttempts(),
                    settings.requestTimeout());
        } catch (SdkException e) {
            throw ConnectorException.configuration(name, "cannot create the SageMaker client (is a region set, "
                    + "as the option region or AWS_REGION?): " + errors.scrub(String.valueOf(e.getMessage())));
        }
        SageMakerMapper mapper = new SageMakerMapper(name);
        this.registry = new SageMakerModelRegistry(name, client, mapper, errors, settings.pageSize(),
                settings.defaultImage());
        this.actions = new SageMakerActions(name, registry, mapper, settings.defaultImage());
        SageMakerEvents webhooks = new SageMakerEvents(name, settings.webhookSecret(), settings.webhookHeader(),
                context.clock(), mapper);
        this.events = new EventSource() {
            @Override
            public List<CanonicalEvent> receive(WebhookRequest request) {
                return webhooks.receive(request);
            }

            /** SageMaker's changes arrive through EventBridge only; there is nothing to poll. */
            @Override
            public PollResult poll(String cursor) {
                return new PollResult(List.of(), cursor);
            }
        };
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /** Lists one model package group: proves the endpoint answers, the credentials sign and the role may list. */
    @Override
    public CheckResult check(Duration timeout) {
        long start = System.nanoTime();
        CompletableFuture<?> probe = CompletableFuture.runAsync(() -> {
            try {
                client.listModelPackageGroups(r -> r.maxResults(1));
            } catch (SdkException e) {
                throw errors.classify("ListModelPackageGroups", e);
            }
        });
        try {
            probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return CheckResult.ok("SageMaker Model Registry answered for " + settings, took(start));
        } catch (TimeoutException e) {
            probe.cancel(true);
            return CheckResult.failed("SageMaker did not answer within " + timeout, took(start));
        } catch (ExecutionException e) {
            return CheckResult.failed(e.getCause() instanceof ConnectorException ce ? ce.getMessage()
                    : "unexpected failure of the check of " + name(), took(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckResult.failed("check of " + name() + " was interrupted", took(start));
        }
    }

    private static Duration took(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
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

    @Override
    public void close() {
        client.close();
    }
}
