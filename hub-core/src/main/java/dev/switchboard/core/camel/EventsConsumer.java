package dev.switchboard.core.camel;

import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.RouteExecutions.Execution;
import dev.switchboard.core.store.RouteExecutions.RunEnd;
import dev.switchboard.core.store.RouteExecutions.Status;
import dev.switchboard.core.store.RunWrites;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.UnreadableEvent;
import dev.switchboard.core.trace.Tracing;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.processor.FilterProcessor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Runs the route's executions ({@link RouteExecutions}): subscribes the route when it starts, then claims runnable
 * executions of it for this instance and runs each on a worker, at most {@code concurrency} at once, renewing their
 * leases while they run. A new execution (an inbox append), a resumed one (its step was delivered) or a finished one
 * (the next of its subject may go) in this process wakes the consumer at once; otherwise it looks every
 * {@code pollIntervalMs} (work from other instances).
 *
 * <p>Running an execution runs the route synchronously on its event, outside any transaction; what it writes (a
 * step's delivery, appends) is collected ({@link RunWrites}) and stored with the execution's new state in one unit of
 * the group commit: the route goes step by step, each {@code switchboard:} action step either done (its result, possibly
 * recorded before, on the exchange) or not, in which case the run stops there and the execution is WAITING on the
 * step's delivery, with whatever the run enqueued. A route that ends is DONE (FILTERED when a filter stopped it);
 * a route that throws is FAILED with a route dead letter. A row of the inbox that cannot be decoded
 * ({@link UnreadableEvent}) is FAILED with the decoding error as its reason.
 */
class EventsConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(EventsConsumer.class);
    /** Set by the route's filters, so an event a filter stopped is recorded as FILTERED rather than DONE. */
    private static final String FILTER_MATCHED = "SwitchboardFilterMatched";
    /** Set by a step whose use of the store failed ({@link #storeCall}), whatever the route did with the failure. */
    private static final String STORE_FAILED = "SwitchboardStoreFailed";
    /** The run's {@link RunWrites}, which its steps add to instead of writing in a transaction of the run's. */
    private static final String RUN_WRITES = "SwitchboardRunWrites";
    /** How often a run's writes are stored before a transient failure makes the execution run again. */
    private static final int FINISH_ATTEMPTS = 3;

    private final EventsEndpoint endpoint;
    private final Semaphore wakeUp = new Semaphore(0);
    private final Runnable onWake = wakeUp::release;
    /**
     * The claims submitted to a worker and not yet ended: the only ones whose leases the heartbeat renews. By claim,
     * not by id: an execution released by one run may be claimed again before that run's worker has ended.
     */
    private final Set<Execution> inProgress = ConcurrentHashMap.newKeySet();
    private Semaphore freeWorkers;
    private ExecutorService loop;
    private ExecutorService workers;
    private ScheduledExecutorService heartbeat;
    private volatile boolean running;
    private long lastSweepNanos = System.nanoTime();
    /** The endpoint URI of the action the route ends with ({@link RouteTail}), or null. */
    private String lastAction;

    EventsConsumer(EventsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (getRouteId() == null || getRouteId().startsWith("route")) {
            // Auto-generated ids change when routes are added; executions are kept per route id.
            LOG.warn("Route {} consumes switchboard:events without an explicit id; give it one (route.id) so its "
                    + "executions survive changes to the route files", getRouteId());
        }
        reportFilterResults();
        lastAction = RouteTail.lastAction(getEndpoint().getCamelContext(), getRouteId()).orElse(null);
        // Subscribed before start() returns: every event appended from now on gets an execution of this route.
        int backfilled = executions().subscribe(getRouteId(), endpoint.typeNames(), endpoint.sourceNames(),
                "beginning".equals(endpoint.getStartAt()));
        if (backfilled > 0) {
            LOG.info("Route {} subscribed; {} execution(s) written for events already in the inbox", getRouteId(),
                    backfilled);
        }
        running = true;
        executions().addListener(onWake);
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        freeWorkers = new Semaphore(endpoint.getConcurrency());
        workers = executors.newFixedThreadPool(this, "switchboard-route-" + getRouteId(), endpoint.getConcurrency());
        heartbeat = executors.newSingleThreadScheduledExecutor(this, "switchboard-route-lease-" + getRouteId());
        long renewEvery = Math.max(1, lease().toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        loop = executors.newSingleThreadExecutor(this, "switchboard-events-" + getRouteId());
        loop.submit(this::claimLoop);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        executions().removeListener(onWake);
        wakeUp.release();
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (loop != null) {
            executors.shutdownGraceful(loop);
            loop = null;
        }
        if (workers != null) {
            // Running executions finish; one cut short keeps its claim until the lease runs out (or this node
            // restarts and takes it back).
            executors.shutdownGraceful(workers);
            workers = null;
        }
        if (heartbeat != null) {
            // Never interrupted (a reload or a pause stops the consumer while the store stays in use): an H2 commit
            // whose thread is interrupted fails its file write, and H2 then closes the whole database.
            executors.shutdownGraceful(heartbeat);
            heartbeat = null;
        }
        super.doStop();
    }

    private void reportFilterResults() {
        Route route = getEndpoint().getCamelContext().getRoute(getRouteId());
        if (route == null) {
            return;
        }
        for (Processor processor : route.filter("*")) {
            if (processor instanceof FilterProcessor filter && filter.getStatusPropertyName() == null) {
                filter.setStatusPropertyName(FILTER_MATCHED);
            }
        }
    }

    private void claimLoop() {
        String routeId = getRouteId();
        while (running) {
            try {
                int free = freeWorkers.availablePermits();
                List<Execution> claimed = executions().claim(routeId, instance(), lease(), free);
                for (Execution execution : claimed) {
                    freeWorkers.acquireUninterruptibly();
                    submit(execution);
                }
                if (free > 0 && claimed.size() == free) {
                    continue; // there may be more runnable right now
                }
                if (claimed.isEmpty()) {
                    sweepNowAndThen();
                }
                wakeUp.tryAcquire(endpoint.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The store is unreachable: claims stay as they are; look again after the poll interval.
                LOG.warn("Route {} could not claim executions: {}", routeId, e.getMessage());
                sleepQuietly();
            }
        }
    }

    private void submit(Execution execution) {
        inProgress.add(execution);
        try {
            workers.submit(() -> {
                try {
                    run(execution);
                } catch (RuntimeException e) {
                    // The store failed mid-way: the claim, no longer renewed, expires and the execution is taken
                    // again (at least once).
                    LOG.warn("Route {} could not complete execution {} (event {}): {}", execution.routeId(),
                            execution.id(), execution.eventSeq(), e.getMessage());
                } finally {
                    inProgress.remove(execution);
                    freeWorkers.release();
                    wakeUp.release();
                }
            });
        } catch (RuntimeException stopping) {
            inProgress.remove(execution);
            freeWorkers.release();
            executions().release(execution);
        }
    }

    /** Now and then, when idle: repairs executions left WAITING on a delivery whose outcome raced their commit. */
    private void sweepNowAndThen() {
        long now = System.nanoTime();
        if (now - lastSweepNanos >= endpoint.pollInterval().toNanos() * 5) {
            lastSweepNanos = now;
            executions().sweep(getRouteId());
        }
    }

    private void renewLeases() {
        try {
            executions().renew(inProgress.stream().map(Execution::id).distinct().toList(), instance(), lease());
        } catch (RuntimeException e) {
            LOG.warn("Route {} could not renew its execution leases: {}", getRouteId(), e.getMessage());
        }
    }

    /**
     * Runs {@code call}, a step's use of the store (a look-up in a run; a write outside one), and notes on the
     * exchange when it fails. The route may catch the failure ({@code doTry}, a handled {@code onException}) and go
     * on, but the run must not end as if the step had succeeded: when the runs still wrote in a transaction of their
     * own, H2 had rolled all of it back on a deadlock and the run's end went into a new one, recorded DONE with its
     * step's delivery never stored (the action of an acknowledged event silently not performed). The run's writes
     * ({@link RunWrites}) fail after the route, with its end, and so cannot be caught by it.
     */
    static <T> T storeCall(Exchange exchange, Supplier<T> call) {
        try {
            return call.get();
        } catch (DataAccessException | TransactionException failed) {
            exchange.setProperty(STORE_FAILED, failed);
            throw failed;
        }
    }

    /** The writes of the run {@code exchange} belongs to, stored with its end; null outside a route execution. */
    static RunWrites runWrites(Exchange exchange) {
        return exchange.getProperty(RUN_WRITES, RunWrites.class);
    }

    private static RunEnd failed(String detail) {
        return new RunEnd(Status.FAILED, detail);
    }

    private void run(Execution execution) {
        Optional<InboxEntry> entry = inbox().recent(execution.eventSeq()).<InboxEntry>map(stored -> stored)
                .or(() -> inbox().entry(execution.eventSeq()));
        var store = endpoint.getComponent().store();
        // One span per run, a child of the webhook's trace stored with the event (a run after a restart joins it).
        try (Tracing.Scope span = store.tracing().start("route.execute", inbox().traceparent(execution.eventSeq()))
                .tag("switchboard.route", execution.routeId()).tag("switchboard.event.seq", execution.eventSeq())) {
            run(execution, entry);
        }
    }

    /**
     * Runs the route outside any transaction (its reads see committed rows), collecting what it writes, and applies
     * those writes with the execution's end as one unit of the group commit ({@link RouteExecutions#finish(
     * Execution, RunWrites, RunEnd)}): the run shares its commit with the webhooks' and deliveries' writes.
     */
    private void run(Execution execution, Optional<InboxEntry> entry) {
        try {
            RunWrites writes = new RunWrites(execution.runs() == 1);
            RunEnd end = entry.map(found -> run(execution.routeId(), found, writes)).orElseGet(() ->
                    failed("event " + execution.eventSeq() + " is no longer in the inbox"));
            if (!finish(execution, writes, end)) {
                // Another instance took the execution over (this one's lease ran out): its run counts, not ours.
                LOG.warn("Route {} lost its claim on execution {} (event {}) while running it; rolled back",
                        execution.routeId(), execution.id(), execution.eventSeq());
            }
        } catch (RuntimeException runFailed) {
            if (isTransient(runFailed)) {
                // A deadlock, a lock or serialization conflict: nothing the run wrote is kept, and the execution runs
                // again, as it would after a crash. Failed, an acknowledged event waited for an operator's replay.
                LOG.warn("Route {} runs event {} again: the store failed transiently: {}", execution.routeId(),
                        execution.eventSeq(), runFailed.getMessage());
                executions().release(execution);
                return;
            }
            // A statement of the run failed (a look-up in the route, or its writes): nothing it wrote is kept, and
            // the execution fails with the reason, with nothing else written.
            LOG.warn("Route {} failed on event {}: {}", execution.routeId(), execution.eventSeq(),
                    runFailed.getMessage());
            executions().finish(execution, new RunWrites(), failed(describe(runFailed)));
        }
    }

    /**
     * Stores the run's writes with its end, again after a transient failure (a deadlock) a few times before the run
     * is given up and run again: a step whose first attempt the run made ({@code DeliveryEngine#performNow}) would
     * be performed again by the next run, while storing the writes again costs the tool nothing.
     */
    private boolean finish(Execution execution, RunWrites writes, RunEnd end) {
        for (int attempt = 1; ; attempt++) {
            try {
                return executions().finish(execution, writes, end);
            } catch (RuntimeException failed) {
                if (attempt == FINISH_ATTEMPTS || !isTransient(failed)) {
                    throw failed;
                }
            }
        }
    }

    private RunEnd run(String routeId, InboxEntry entry, RunWrites writes) {
        if (entry instanceof UnreadableEvent row) {
            LOG.warn("Route {} passes inbox event {} ({} from {}), which cannot be decoded: {}", routeId, row.seq(),
                    row.type(), row.source(), row.reason());
            return failed("the stored event cannot be decoded: " + row.reason());
        }
        StoredEvent stored = (StoredEvent) entry;
        Exchange exchange = createExchange(false);
        try {
            exchange.setProperty(RUN_WRITES, writes);
            exchange.getIn().setBody(stored.event());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_SEQ, stored.seq());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_ID, stored.event().id());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_TYPE, stored.event().type().typeName());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_SOURCE, stored.event().sourceConnection());
            exchange.getIn().setHeader(SwitchboardHeaders.SUBJECT, stored.event().subject());
            ActionParameters.bindEvent(exchange, stored.event());
            getProcessor().process(exchange);
            RuntimeException storeFailure = exchange.getProperty(STORE_FAILED, RuntimeException.class);
            if (storeFailure != null) {
                throw storeFailure; // so that none of the run is kept, its writes included
            }
            ActionProducer.Suspension suspended = exchange.getProperty(ActionProducer.SUSPENDED,
                    ActionProducer.Suspension.class);
            Exception failure = exchange.getException();
            if (suspended != null && suspended.dead()) {
                return new RunEnd(Status.DEAD, suspended.step(), suspended.deliveryId(), null, false,
                        suspended.reason());
            } else if (suspended != null) {
                // Nothing runs after the route's last step, and a run after its delivery would end the route as
                // this one would have (DONE, as no filter refused the event): the delivery's outcome records DONE.
                boolean last = suspended.endpointUri().equals(lastAction) && !filteredOut(exchange);
                return new RunEnd(Status.WAITING, suspended.step(), suspended.deliveryId(), suspended.deliveryKey(),
                        last, null);
            } else if (failure != null) {
                LOG.warn("Route {} failed on event {} ({}): {}", routeId, stored.seq(), stored.event().type(),
                        failure.getMessage());
                return failed(describe(failure));
            } else if (filteredOut(exchange)) {
                return new RunEnd(Status.FILTERED, "filtered by route " + routeId);
            } else {
                return new RunEnd(Status.DONE, null);
            }
        } catch (DataAccessException | TransactionException storeFailed) {
            throw storeFailed;
        } catch (Exception e) {
            return failed(describe(e));
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private static boolean filteredOut(Exchange exchange) {
        return Boolean.FALSE.equals(exchange.getProperty(FILTER_MATCHED, Boolean.class));
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    /** A failure that running again can cure: a deadlock, a lock or serialization conflict, a timeout. */
    private static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TransientDataAccessException || cause instanceof SQLTransientException) {
                return true;
            }
        }
        return false;
    }

    private RouteExecutions executions() {
        return endpoint.getComponent().store().executions();
    }

    private InboxStore inbox() {
        return endpoint.getComponent().store().inbox();
    }

    private dev.switchboard.core.store.InstanceId instance() {
        return endpoint.getComponent().instance();
    }

    private Duration lease() {
        return endpoint.getComponent().executionLease();
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(endpoint.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
