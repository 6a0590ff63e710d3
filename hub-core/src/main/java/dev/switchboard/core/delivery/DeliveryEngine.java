package dev.switchboard.core.delivery;

import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RunWrites;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.WorkLeases;
import dev.switchboard.core.trace.Tracing;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs outbox deliveries: claims due ones, performs each through its connection's {@link ActionTarget},
 * records every attempt, retries transient failures with backoff and dead-letters the rest.
 *
 * <p>Several engines (one per hub instance) may share one database; {@link Outbox#claimDue} makes sure a
 * delivery is claimed by one of them, for {@link Settings#lease()}, which the engine renews while it performs the
 * delivery (a heartbeat every third of the lease). An engine that dies leaves its claims to expire, and another
 * engine performs them again (at least once, same idempotency key); an engine started again under the same
 * {@linkplain InstanceId#node() node name} takes its dead predecessor's claims back at once.
 *
 * <p>Every delivery takes one path: the poller claims it ({@link Outbox#claim}), taking for it a
 * {@link DeliveryPermit} (a worker and a slot of its connection's bulkhead; the breaker's permission when the call
 * is made), which the worker that performs the attempt gives back, all of it, in one {@code try}-with-resources.
 *
 * <p>Each connection has its own circuit breaker and bulkhead, so one tool's outage neither fails nor slows
 * deliveries to the others: while a connection's breaker is open its deliveries are postponed, not attempted
 * (no attempt counted, never dead-lettered for it); its bulkhead keeps it from taking every worker: a
 * connection whose bulkhead is full gets nothing claimed until a slot frees, so its deliveries wait PENDING.
 *
 * <p>Deliveries of one subject to one connection run in outbox order: one is not started while an earlier one of
 * the same subject to the same connection is pending, in flight or waiting for a retry. A dead-lettered one does not
 * hold the later ones back, nor does another connection's (its outage must not stall this one).
 */
public final class DeliveryEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

    /**
     * How the engine works.
     *
     * @param maxAttempts  attempts before a transiently failing delivery is dead-lettered
     * @param baseBackoff  the first retry's backoff ceiling; it doubles per attempt
     * @param maxBackoff   the highest backoff ceiling
     * @param workers      deliveries performed at once by this engine
     * @param lease        how long a claim holds unless renewed; deliveries in progress are renewed every third of
     *                     it (a heartbeat), so a dead instance's deliveries are taken over this long after its last
     *                     heartbeat, however long an attempt takes
     * @param pollInterval how often to look for due deliveries when nothing woke the engine
     */
    public record Settings(int maxAttempts, Duration baseBackoff, Duration maxBackoff, int workers, Duration lease,
                           Duration pollInterval) {

        /**
         * 64 workers: a delivery mostly waits, on the tool and then on the commit that records its outcome, so
         * workers are cheap. In the B1 benchmark 4 workers capped the hub at a third of the rate it reached with 16.
         */
        public static final Settings DEFAULTS = new Settings(8, Duration.ofSeconds(1), Duration.ofMinutes(5), 64,
                WorkLeases.DEFAULT_LEASE, Duration.ofSeconds(1));

        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + maxAttempts);
            }
            requirePositive("baseBackoff", baseBackoff);
            requirePositive("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(baseBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be less than baseBackoff (" + baseBackoff
                        + "), but was " + maxBackoff);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, but was " + workers);
            }
            requirePositive("lease", lease);
            requirePositive("pollInterval", pollInterval);
        }

        private static void requirePositive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration, but was " + value);
            }
        }
    }

    /** Deliveries of one subject to one connection, which go in order. */
    private record Lane(String connection, String subject) {
    }

    private final Outbox outbox;
    private final ConnectionRegistry connections;
    private final HubActions hubActions;
    private final DeadLetters deadLetters;
    private final Settings settings;
    private final CircuitBreakerRegistry breakers;
    private final DeliveryLog log;
    private final BulkheadRegistry bulkheads;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final Tracing tracing;
    private final Backoff backoff;
    private final InstanceId instance;
    private final String owner;
    /** Claim tokens of the deliveries this engine is performing: the heartbeat renews their leases. */
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    /** The first attempts being made on route workers ({@link #performNow}), when each started. */
    private final Map<Lane, Instant> attemptingNow = new ConcurrentHashMap<>();
    /**
     * The lanes an attempt is being made on here, by this engine's workers or by route runs ({@link #performNow}):
     * one at a time per lane. The outbox orders a lane's deliveries, but a run's first attempt has no outbox row until
     * the run commits, so while it is made the outbox would let the engine claim another delivery of its lane.
     */
    private final Set<Lane> lanesInUse = ConcurrentHashMap.newKeySet();
    /** Lanes whose due delivery a claim passed over because they were in use: the engine looks again when freed. */
    private final Set<Lane> passedOver = ConcurrentHashMap.newKeySet();
    private volatile Instant nextHeartbeatAt = Instant.MIN;
    private final Semaphore wakeUp = new Semaphore(0);
    /**
     * A new delivery to a connection whose bulkhead is full cannot be claimed yet: the poller is not woken for it
     * (it would read past that connection's whole backlog to find nothing; a finished delivery wakes it instead).
     */
    private final Consumer<String> onEnqueue = this::enqueued;
    private final Semaphore freeWorkers;
    /**
     * Claims only what a worker and the connection's bulkhead have room for: a full connection's deliveries stay
     * PENDING, unread.
     */
    private final Outbox.Admission<DeliveryPermit> admission = new Outbox.Admission<>() {
        @Override
        public Set<String> full() {
            Set<String> full = new HashSet<>();
            for (Bulkhead bulkhead : bulkheads.getAllBulkheads()) {
                if (isFull(bulkhead)) {
                    full.add(bulkhead.getName());
                }
            }
            return full;
        }

        @Override
        public Set<String> known() {
            Set<String> known = new HashSet<>();
            connections.all().forEach(entry -> known.add(entry.connection().name()));
            known.add(HubActions.CONNECTION);
            bulkheads.getAllBulkheads().forEach(bulkhead -> known.add(bulkhead.getName()));
            return known;
        }

        @Override
        public DeliveryPermit tryAdmit(String connection, String subject) {
            Lane lane = new Lane(connection, subject);
            if (!lanesInUse.add(lane)) {
                passedOver.add(lane);
                metrics.laneWait(connection);
                if (!lanesInUse.contains(lane)) {
                    wakeUp.release(); // freed meanwhile, perhaps before it could see the lane passed over
                }
                return null;
            }
            DeliveryPermit permit = DeliveryPermit.tryAcquire(freeWorkers, bulkheads.bulkhead(connection),
                    breakers.circuitBreaker(connection), () -> leave(lane));
            if (permit == null) {
                leave(lane);
            }
            return permit;
        }
    };
    private volatile boolean running;
    private ExecutorService poller;
    private ExecutorService workers;

    /**
     * An engine with its own breakers and bulkheads built from {@link #defaultBreakerConfig()} and
     * {@link #defaultBulkheadConfig(Settings)}.
     */
    public DeliveryEngine(Store store, Outbox outbox, ConnectionRegistry connections, DeadLetters deadLetters,
                          Settings settings, MeterRegistry meters, Clock clock) {
        this(store, outbox, connections, deadLetters, settings, meters, clock, InstanceId.newStart(null));
    }

    /** An engine with the default breakers and bulkheads that claims as {@code instance}. */
    public DeliveryEngine(Store store, Outbox outbox, ConnectionRegistry connections, DeadLetters deadLetters,
                          Settings settings, MeterRegistry meters, Clock clock, InstanceId instance) {
        this(store, outbox, connections, deadLetters, settings, CircuitBreakerRegistry.of(defaultBreakerConfig()),
                BulkheadRegistry.of(defaultBulkheadConfig(settings)), meters, clock,
                ThreadLocalRandom.current()::nextDouble, instance);
    }

    /**
     * An engine with the given registries, which hand out one breaker and one bulkhead per connection name.
     * {@code random} supplies the backoff jitter in {@code [0, 1)}.
     */
    public DeliveryEngine(Store store, Outbox outbox, ConnectionRegistry connections, DeadLetters deadLetters,
                          Settings settings, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads,
                          MeterRegistry meters, Clock clock, DoubleSupplier random) {
        this(store, outbox, connections, deadLetters, settings, breakers, bulkheads, meters, clock, random,
                InstanceId.newStart(null));
    }

    /**
     * An engine that claims as {@code instance}: a later start under the same node name takes its unfinished
     * claims back at once.
     */
    public DeliveryEngine(Store store, Outbox outbox, ConnectionRegistry connections, DeadLetters deadLetters,
                          Settings settings, CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads,
                          MeterRegistry meters, Clock clock, DoubleSupplier random, InstanceId instance) {
        this.instance = instance;
        this.owner = instance.holder();
        this.outbox = outbox;
        this.connections = connections;
        this.hubActions = new HubActions(connections);
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        this.clock = clock;
        this.tracing = store.tracing();
        this.backoff = new Backoff(settings.baseBackoff(), settings.maxBackoff(), random);
        this.log = new DeliveryLog(clock, DeliveryLog.INTERVAL, LOG::warn);
        log.watch(breakers);
        this.freeWorkers = new Semaphore(settings.workers());
        this.metrics = new DeliveryMetrics(meters);
        metrics.bindDepthGauges(store, outbox);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
    }

    /**
     * The breaker every connection starts with: opens when half of the last 20 calls (at least 5) failed
     * transiently, stays open 30 s. Only TRANSIENT failures count: a configuration error says nothing about the
     * tool's health.
     */
    public static CircuitBreakerConfig defaultBreakerConfig() {
        return breakerConfigFrom(CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(2));
    }

    /** Completes a breaker config so that only TRANSIENT failures count against a connection. */
    public static CircuitBreakerConfig breakerConfigFrom(CircuitBreakerConfig.Builder builder) {
        return builder
                .recordException(e -> e instanceof ConnectorException failure && failure.isRetryable())
                .ignoreException(e -> e instanceof ConnectorException failure && !failure.isRetryable())
                .build();
    }

    /**
     * At most half the workers (at least one) per connection, so a hanging tool cannot take them all. A slot is
     * held for the call to the tool only, so this is how many calls one tool gets at once.
     */
    public static BulkheadConfig defaultBulkheadConfig(Settings settings) {
        return BulkheadConfig.custom().maxConcurrentCalls(Math.max(1, settings.workers() / 2))
                .maxWaitDuration(Duration.ZERO).build();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        outbox.addListener(onEnqueue);
        AtomicInteger threads = new AtomicInteger();
        workers = Executors.newFixedThreadPool(settings.workers(), task -> daemon(task,
                "switchboard-delivery-" + threads.incrementAndGet()));
        poller = Executors.newSingleThreadExecutor(task -> daemon(task, "switchboard-delivery-poller"));
        poller.submit(this::pollLoop);
        LOG.info("Delivery engine {} started with {} workers", owner, settings.workers());
    }

    /** Stops claiming, and waits a little for running attempts; unfinished claims expire and are taken over. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        outbox.removeListener(onEnqueue);
        wakeUp.release();
        // The poller ends its pass and sees it stopped; interrupted mid-commit, it would make H2 close the database.
        poller.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        LOG.info("Delivery engine {} stopped", owner);
    }

    @Override
    public void close() {
        stop();
    }

    /** The breaker of {@code connection} (made on first use). */
    public CircuitBreaker breaker(String connection) {
        return breakers.circuitBreaker(connection);
    }

    /**
     * Renews the leases of the deliveries in progress here, when a heartbeat is due (every third of the lease); the
     * poller calls it on each pass, tests on an injected clock call it after moving the clock.
     */
    public void heartbeat() {
        Instant now = clock.instant();
        if (now.isBefore(nextHeartbeatAt)) {
            return;
        }
        nextHeartbeatAt = now.plus(settings.lease().dividedBy(3));
        outbox.renew(List.copyOf(inProgress), settings.lease());
    }

    /** This engine's name in claim tokens and logs: its instance's holder id. */
    public String owner() {
        return owner;
    }

    private void enqueued(String connection) {
        boolean full = connection != null && bulkheads.find(connection).map(DeliveryEngine::isFull).orElse(false);
        if (!full) {
            wakeUp.release();
        }
    }

    private static boolean isFull(Bulkhead bulkhead) {
        return bulkhead.getMetrics().getAvailableConcurrentCalls() == 0;
    }

    private void pollLoop() {
        while (running) {
            try {
                heartbeat();
                int free = freeWorkers.availablePermits();
                List<Outbox.Claimed<DeliveryPermit>> claimed = outbox.claim(free, settings.lease(), instance,
                        admission);
                claimed.forEach(this::submit);
                if (free > 0 && claimed.size() == free) {
                    continue; // there may be more due right now
                }
                // Fewer: nothing else due, or the rest go to connections without a free slot. Looking again at
                // once would read past all of those; a finished delivery or a new one wakes the poller instead.
                wakeUp.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database is unreachable: claims stay where they are; look again after the poll interval.
                LOG.warn("Delivery engine {} could not claim deliveries: {}", owner, e.getMessage());
                sleepPollInterval();
            }
        }
    }

    /**
     * Performs a claimed delivery on a worker; when the engine is stopping, gives its permit back at once (the claim
     * expires and another engine takes it over).
     */
    private void submit(Outbox.Claimed<DeliveryPermit> claimed) {
        Delivery delivery = claimed.delivery();
        inProgress.add(delivery.claimToken());
        try {
            workers.execute(() -> perform(delivery, claimed.permit()));
        } catch (RejectedExecutionException stopping) {
            inProgress.remove(delivery.claimToken());
            claimed.permit().close();
        }
    }

    private void perform(Delivery delivery, DeliveryPermit claimedWith) {
        try (DeliveryPermit permit = claimedWith) {
            deliver(delivery, permit);
        } catch (RuntimeException e) {
            // The store failed mid-way; the claim expires and the delivery is taken over.
            LOG.warn("Delivery {} to connection {} could not be completed: {}", delivery.id(), delivery.connection(),
                    e.getMessage());
        } finally {
            inProgress.remove(delivery.claimToken());
            wakeUp.release(); // a finished delivery frees a worker and may let the next one of its subject go
        }
    }

    private void deliver(Delivery delivery, DeliveryPermit permit) {
        String connection = delivery.connection();
        if (!permit.tryCall()) {
            CircuitBreaker breaker = breakers.circuitBreaker(connection);
            long openMillis = breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
            postpone(delivery, Duration.ofMillis(openMillis), DeliveryMetrics.Outcome.BREAKER_OPEN,
                    "circuit breaker of connection " + connection + " is open; not attempted");
            return;
        }
        Optional<Integer> number = outbox.startAttempt(delivery);
        if (number.isPresent()) { // else the claim was lost: another engine owns the delivery now
            attempt(delivery, number.get(), permit);
        }
    }

    /**
     * Makes a route step's first attempt now, on the calling route worker, when its connection can take it at
     * once: a worker and more than half of its bulkhead free, its breaker letting the call through, and no attempt
     * on its lane (its subject at its connection) in progress here, by this engine or another run; the caller has
     * checked that no delivery of the lane is pending or in flight in the outbox ({@code Outbox#lookUpStep}). The
     * step's delivery is then stored with the attempt among the run's {@code writes}, so that the step costs the
     * run's one commit instead of an enqueue, a claim, an attempt's start and its outcome, each a write of its own.
     * A failed attempt goes on as this engine's own do after the commit: retried with backoff or dead-lettered.
     * Executions of a route wait for such a step as for any other, so its concurrency bounds these attempts.
     *
     * @return the step done ({@link StepOutcome.Completed}) or its failed delivery stored to be retried
     *         ({@link StepOutcome.Queued}); empty when the attempt cannot be made now (the step is then enqueued)
     */
    public Optional<StepOutcome> performNow(ActionCall call, RunWrites writes) {
        String connection = call.connection();
        String subject = call.event().subject();
        Lane lane = new Lane(connection, subject);
        if (!running) {
            return Optional.empty();
        }
        try (DeliveryPermit permit = admission.tryAdmit(connection, subject)) {
            if (permit == null || !atMostHalfInUse(connection) || !permit.tryCall()) {
                return Optional.empty();
            }
            attemptingNow.put(lane, clock.instant());
            try {
                return Optional.of(attemptNow(call, writes, permit));
            } finally {
                attemptingNow.remove(lane);
            }
        }
    }

    /** An attempt on {@code lane} ended (its permit closed): a delivery of the lane passed over meanwhile may go. */
    private void leave(Lane lane) {
        lanesInUse.remove(lane);
        if (passedOver.remove(lane)) {
            wakeUp.release();
        }
    }

    /**
     * When the oldest first attempt at a step to {@code connection} that a route run is making here started: such a
     * step is no outbox row until the attempt ends, so a tool that takes its time shows in its delivery lag.
     */
    public Optional<Instant> attemptingSince(String connection) {
        return attemptingNow.entrySet().stream().filter(entry -> entry.getKey().connection().equals(connection))
                .map(Map.Entry::getValue).min(Instant::compareTo);
    }

    /**
     * Whether at most half of the connection's bulkhead is in use, the slot just taken included: a tool that stops
     * answering then holds at most half of its slots on route workers, and the rest of its steps are enqueued,
     * where they show as the tool's backlog and its outage costs the routes no more workers. Checked after taking
     * the slot, so that runs taking slots at the same time cannot all pass.
     */
    private boolean atMostHalfInUse(String connection) {
        Bulkhead bulkhead = bulkheads.bulkhead(connection);
        int max = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
        return max - bulkhead.getMetrics().getAvailableConcurrentCalls() <= Math.max(1, max / 2);
    }

    private StepOutcome attemptNow(ActionCall call, RunWrites writes, DeliveryPermit permit) {
        Instant started = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Delivery delivery = Delivery.of(0, call, Delivery.Status.IN_FLIGHT, 0, started, null, null, null);
        ActionTarget.Result result = null;
        ConnectorException failure = null;
        long nanos = System.nanoTime();
        try (Tracing.Scope span = tracing.start("delivery.attempt").tag("switchboard.attempt", 1)
                .tag("switchboard.connection", call.connection()).tag("switchboard.action", call.action())) {
            try {
                result = call(delivery);
                permit.succeeded(System.nanoTime() - nanos);
            } catch (RuntimeException e) {
                failure = classify(call.connection(), e);
                span.error(failure);
                permit.failed(System.nanoTime() - nanos, failure);
            }
        }
        Instant finished = clock.instant().truncatedTo(ChronoUnit.MICROS);
        metrics.attempt(call.connection(), failure == null ? null : failure.kind());
        if (failure == null) {
            outbox.storePerformedWith(call, new Outbox.FirstAttempt(started, finished, result, null), null, null,
                    writes, stored -> metrics.delivery(call.connection(), DeliveryMetrics.Outcome.DELIVERED));
            return new StepOutcome.Completed(result);
        }
        ConnectorException failed = failure;
        outbox.storePerformedWith(call, new Outbox.FirstAttempt(started, finished, null, failure),
                Outbox.newClaimToken(instance), finished.plus(settings.lease()), writes,
                stored -> afterCommitted(stored, failed));
        return new StepOutcome.Queued(call.idempotencyKey());
    }

    /** Retries or dead-letters a failed first attempt's delivery, on a worker: not on the committing thread. */
    private void afterCommitted(Delivery delivery, ConnectorException failure) {
        Runnable next = () -> {
            try {
                log.attemptFailed(delivery.connection(), delivery.action(), delivery.id(), delivery.attempts(),
                        failure.kind(), failure.getMessage());
                afterFailure(delivery, delivery.attempts(), failure);
            } catch (RuntimeException e) {
                // Its claim expires and the engine takes it over, as after a crash.
                LOG.warn("Delivery {} to connection {} could not be rescheduled: {}", delivery.id(),
                        delivery.connection(), e.getMessage());
            }
        };
        try {
            workers.execute(next);
        } catch (RuntimeException stopping) {
            LOG.debug("Delivery {} left to its lease: the engine is stopping", delivery.id());
        }
    }

    private void postpone(Delivery delivery, Duration delay, DeliveryMetrics.Outcome outcome, String why) {
        if (outbox.reschedule(delivery, clock.instant().plus(delay), why)) {
            metrics.delivery(delivery.connection(), outcome);
        }
    }

    /** Performs attempt {@code number}, recorded STARTED, under {@code permit}'s breaker permission. */
    private void attempt(Delivery delivery, int number, DeliveryPermit permit) {
        // A child of the span that enqueued the delivery (stored with it): after a restart too.
        try (Tracing.Scope span = tracing.start("delivery.attempt", outbox.traceparent(delivery.id()))
                .tag("switchboard.delivery.id", delivery.id()).tag("switchboard.attempt", number)
                .tag("switchboard.connection", delivery.connection()).tag("switchboard.action", delivery.action())) {
            attempt(delivery, number, permit, span);
        }
    }

    private void attempt(Delivery delivery, int number, DeliveryPermit permit, Tracing.Scope span) {
        long started = System.nanoTime();
        ActionTarget.Result result;
        try {
            try {
                result = call(delivery);
            } finally {
                permit.callEnded();
            }
        } catch (RuntimeException e) {
            ConnectorException failure = classify(delivery.connection(), e);
            span.error(failure);
            permit.failed(System.nanoTime() - started, failure);
            outbox.finishAttempt(delivery.id(), number, Attempt.Outcome.FAILED, failure.kind(), failure.getMessage());
            metrics.attempt(delivery.connection(), failure.kind());
            log.attemptFailed(delivery.connection(), delivery.action(), delivery.id(), number, failure.kind(),
                    failure.getMessage());
            afterFailure(delivery, delivery.attempts() + 1, failure);
            return;
        }
        permit.succeeded(System.nanoTime() - started);
        metrics.attempt(delivery.connection(), null);
        // A store failure from here on is not the tool's: it escapes to run(), and the claim expires and is taken
        // over (at least once), as after a crash. Caught above, it counted against the tool's breaker and, as an
        // unclassified error, dead-lettered an action the tool had performed.
        if (outbox.delivered(delivery, number, Outbox.encodeResult(result))) {
            metrics.delivery(delivery.connection(), DeliveryMetrics.Outcome.DELIVERED);
        }
    }

    private ActionTarget.Result call(Delivery delivery) {
        // The hub's own actions (copy-artifact, tag-model-version) live on the reserved connection "hub", which is
        // not in the registry: without this they were dead-lettered as "no connection named hub".
        ActionTarget target = HubActions.CONNECTION.equals(delivery.connection()) ? hubActions
                : connections.get(delivery.connection()).actionTarget().orElseThrow(() ->
                ConnectorException.configuration(delivery.connection(), "connection " + delivery.connection()
                        + " offers no actions, so it cannot perform " + delivery.action()));
        if (!target.actions().contains(delivery.action())) {
            throw ConnectorException.configuration(delivery.connection(), "unknown action " + delivery.action()
                    + "; connection " + delivery.connection() + " offers: " + String.join(", ", target.actions()));
        }
        try (Tracing.Scope call = tracing.startClient("connector.call").tag("switchboard.connection",
                delivery.connection()).tag("switchboard.action", delivery.action())) {
            try {
                return target.perform(new ActionTarget.Request(delivery.action(), delivery.parameters(),
                        delivery.event(), delivery.idempotencyKey()));
            } catch (RuntimeException e) {
                call.error(e);
                throw e;
            }
        }
    }

    private void afterFailure(Delivery delivery, int attempts, ConnectorException failure) {
        if (failure.isRetryable() && attempts < settings.maxAttempts()) {
            Instant next = clock.instant().plus(backoff.delay(attempts, failure.retryAfter()));
            if (outbox.reschedule(delivery, next, failure.getMessage())) {
                metrics.delivery(delivery.connection(), DeliveryMetrics.Outcome.RETRIED);
            }
            return;
        }
        String reason = switch (failure.kind()) {
            case TRANSIENT -> "gave up after " + attempts + " attempts; last error: " + failure.getMessage();
            case CONFIGURATION -> "configuration error, not retried: " + failure.getMessage();
            case SYSTEM -> "unexpected error, not retried: " + failure.getMessage();
        };
        String refusedBy = refusedBy(delivery, failure);
        if (deadLetters.deadLetterDelivery(delivery, reason, refusedBy)) {
            metrics.delivery(delivery.connection(), DeliveryMetrics.Outcome.DEAD_LETTERED);
            LOG.warn("Delivery {} of {} to connection {} dead-lettered under {}: {}", delivery.id(), delivery.action(),
                    delivery.connection(), refusedBy, reason);
        }
    }

    /**
     * The connection a dead letter is filed under: a hub action's failure belongs to the configured tool it called
     * (S3 refusing the write of {@code hub/copy-artifact}), so {@code dlq replay --connection s3-models} finds it; a
     * failure of the hub's own (no store serves the URI) stays under {@code hub}.
     */
    private String refusedBy(Delivery delivery, ConnectorException failure) {
        if (HubActions.CONNECTION.equals(delivery.connection()) && failure.connection() != null
                && connections.find(failure.connection()).isPresent()) {
            return failure.connection();
        }
        return delivery.connection();
    }

    /** Anything a connector lets escape that is not classified is a bug (the SPI's rule): SYSTEM. */
    private static ConnectorException classify(String connection, RuntimeException e) {
        return e instanceof ConnectorException classified ? classified
                : ConnectorException.system(connection, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }

    private void sleepPollInterval() {
        try {
            Thread.sleep(settings.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
