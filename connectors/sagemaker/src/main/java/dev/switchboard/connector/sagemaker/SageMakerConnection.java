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
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * One open SageMaker connection; every port shares one SDK client, which is thread-safe. The client is built on
 * first use when the region is configured: building it loads a few hundred SDK classes, which the hub's start-up
 * need not wait for. Without a configured region it is built at once, so a region the SDK cannot find is reported
 * when the connection opens.
 */
final class SageMakerConnection implements Connection {

    /** Building the client faster than this is not worth a word in the check's message. */
    private static final Duration SLOW_BUILD = Duration.ofMillis(500);

    private final SageMakerOptions.Settings settings;
    private final SageMakerErrors errors;
    private final SageMakerModelRegistry registry;
    private final SageMakerActions actions;
    private final EventSource events;
    private final Supplier<SageMakerClient> factory;
    private final LongSupplier nanoTime;
    private SageMakerClient client;

    SageMakerConnection(SageMakerOptions.Settings settings, ConnectorContext context) {
        this(settings, context, () -> sdkClient(settings), System::nanoTime);
    }

    /** The SDK client {@code settings} describe. */
    static SageMakerClient sdkClient(SageMakerOptions.Settings settings) {
        return SageMakerClients.create(settings.region(), settings.accessKeyId(), settings.secretAccessKey(),
                settings.sessionToken(), settings.endpointOverride(), settings.maxAttempts(), settings.requestTimeout());
    }

    /** With the SDK client's factory and the clock that times its building: seams for tests. */
    SageMakerConnection(SageMakerOptions.Settings settings, ConnectorContext context,
                        Supplier<SageMakerClient> factory, LongSupplier nanoTime) {
        this.settings = settings;
        this.factory = factory;
        this.nanoTime = nanoTime;
        String name = settings.connection();
        this.errors = new SageMakerErrors(name, Stream.of(settings.accessKeyId(), settings.secretAccessKey(),
                settings.sessionToken(), settings.webhookSecret()).flatMap(Optional::stream).toList());
        if (settings.region().isEmpty()) {
            client();
        }
        SageMakerMapper mapper = new SageMakerMapper(name);
        this.registry = new SageMakerModelRegistry(name, this::client, mapper, errors, settings.pageSize(),
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

    synchronized SageMakerClient client() {
        if (client == null) {
            try {
                client = factory.get();
            } catch (SdkException e) {
                throw ConnectorException.configuration(settings.connection(), "cannot create the SageMaker client "
                        + "(is a region set, as the option region or AWS_REGION?): "
                        + errors.scrub(String.valueOf(e.getMessage())));
            }
        }
        return client;
    }

    /** Whether the SDK client has been built yet. */
    synchronized boolean clientBuilt() {
        return client != null;
    }

    @Override
    public String name() {
        return settings.connection();
    }

    /**
     * Lists one model package group: proves the endpoint answers, the credentials sign and the role may list. The
     * first check after start also builds the SDK client (seconds on a cold JVM): that time is the hub's, not
     * SageMaker's, so it is measured apart, SageMaker gets what is left of {@code timeout}, and the message says how
     * long the building took. A build that used up the whole timeout is reported as such, SageMaker not asked.
     */
    @Override
    public CheckResult check(Duration timeout) {
        long start = nanoTime.getAsLong();
        SageMakerClient sdk;
        try {
            sdk = client();
        } catch (ConnectorException e) {
            return CheckResult.failed(e.getMessage(), Duration.ofNanos(nanoTime.getAsLong() - start));
        }
        Duration building = Duration.ofNanos(nanoTime.getAsLong() - start);
        Duration left = timeout.minus(building);
        if (building.compareTo(SLOW_BUILD) < 0) {
            return probe(sdk, timeout);
        }
        if (left.isNegative() || left.isZero()) {
            return CheckResult.failed("building the SageMaker SDK client took " + building.toMillis() + " ms, the "
                    + "whole check's " + timeout.toMillis() + " ms, so SageMaker was not asked yet; the client is "
                    + "built now: check again", building);
        }
        CheckResult probed = probe(sdk, left);
        return new CheckResult(probed.ok(), probed.message() + " (after " + building.toMillis() + " ms building "
                + "the SDK client, the hub's own start-up)", building.plus(probed.took()));
    }

    private CheckResult probe(SageMakerClient sdk, Duration timeout) {
        return CheckResult.probe(name(), "SageMaker", timeout, () -> {
            try {
                sdk.listModelPackageGroups(r -> r.maxResults(1));
            } catch (SdkException e) {
                throw errors.classify("ListModelPackageGroups", e);
            }
        }, "SageMaker Model Registry answered for " + settings);
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
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
