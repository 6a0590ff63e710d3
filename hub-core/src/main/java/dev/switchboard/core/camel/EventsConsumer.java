package dev.switchboard.core.camel;

import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.RouteProgress;
import dev.switchboard.core.store.RouteProgress.Outcome;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.UnreadableEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.processor.FilterProcessor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the inbox in order and hands each wanted event to its route, one at a time (so one subject's events stay
 * in order), recording the route's outcome and moving the route's durable cursor with it: a batch of events, their
 * outcomes, the deliveries the route enqueued and the cursor commit together. An inbox append wakes the consumer at
 * once; otherwise it looks every {@code pollIntervalMs} (events appended by other instances).
 *
 * <p>A row of the inbox that cannot be decoded ({@link UnreadableEvent}) is recorded as FAILED for each route that
 * would have wanted it (by its type and source columns), which makes it a route dead letter with the decoding error
 * as its reason, and the route moves on: one bad row cannot stop a route.
 */
class EventsConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(EventsConsumer.class);
    /** Set by the route's filters, so an event a filter stopped is recorded as FILTERED rather than DONE. */
    private static final String FILTER_MATCHED = "SwitchboardFilterMatched";

    /**
     * How long a gap in the inbox's seq is taken for an append still committing. Seq values are drawn at insert
     * and committed later, so under concurrent webhooks seq 7 can become visible before seq 6; reading past 6
     * then would skip it for good. A gap that lasts longer than this is a rolled-back append (or values an engine
     * dropped on restart) and is passed.
     */
    static final Duration GAP_GRACE = Duration.ofSeconds(2);
    private static final long GAP_RECHECK_MILLIS = 20;

    private final EventsEndpoint endpoint;
    private long gapAfter = -1;
    private long gapSeenAtNanos;
    private final Semaphore wakeUp = new Semaphore(0);
    private final Runnable onAppend = wakeUp::release;
    private ExecutorService executor;
    private volatile boolean running;

    EventsConsumer(EventsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (getRouteId() == null || getRouteId().startsWith("route")) {
            // Auto-generated ids change when routes are added; the durable cursor needs a stable one.
            LOG.warn("Route {} consumes switchboard:events without an explicit id; give it one (route.id) so its "
                    + "position in the inbox survives changes to the route files", getRouteId());
        }
        reportFilterResults();
        // Fix the start position before start() returns: an event appended right after must not be skipped.
        long start = "beginning".equals(endpoint.getStartAt()) ? 0 : inbox().lastSeq();
        long position = endpoint.getComponent().store().routeProgress().positionOrStart(getRouteId(), start);
        running = true;
        inbox().addListener(onAppend);
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "switchboard-events-" + getRouteId());
        executor.submit(() -> loop(position));
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        inbox().removeListener(onAppend);
        wakeUp.release();
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
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

    private void loop(long startPosition) {
        String routeId = getRouteId();
        RouteProgress progress = endpoint.getComponent().store().routeProgress();
        long position = startPosition;
        while (running) {
            try {
                position = drain(routeId, progress, position);
                long wait = gapAfter >= 0 ? GAP_RECHECK_MILLIS : endpoint.pollInterval().toMillis();
                wakeUp.tryAcquire(wait, TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The store is unreachable: keep the position, back off, and try again.
                LOG.warn("Route {} could not read the inbox: {}", routeId, e.getMessage());
                sleepQuietly();
            }
        }
    }

    private long drain(String routeId, RouteProgress progress, long position) {
        for (RouteProgress.Replay replay : progress.replaysRequested(routeId)) {
            if (running) {
                replay(progress, replay);
            }
        }
        while (running) {
            List<InboxEntry> batch = inbox().entriesAfter(position, endpoint.getBatchSize());
            if (batch.isEmpty()) {
                return position;
            }
            List<InboxEntry> ready = new ArrayList<>(batch.size());
            long last = position;
            for (InboxEntry stored : batch) {
                if (stored.seq() > last + 1 && waitForGap(last)) {
                    break;
                }
                ready.add(stored);
                last = stored.seq();
                gapAfter = -1;
            }
            position = routeAll(routeId, progress, ready, position);
            if (ready.size() < batch.size()) {
                return position; // stopped before a gap: look again shortly
            }
        }
        return position;
    }

    /**
     * Runs the route on each event and records the outcomes and the new position in one transaction, so the
     * outbox deliveries the route enqueues, the outcomes and the cursor commit together: one commit per batch
     * instead of two per event (B1 benchmark). When that transaction fails (e.g. a statement of the route broke
     * it), the batch is rolled back and run again one event at a time, each outcome in a transaction of its own,
     * so one bad event cannot hold the others back.
     *
     * @return the position reached
     */
    private long routeAll(String routeId, RouteProgress progress, List<InboxEntry> events, long position) {
        if (events.isEmpty()) {
            return position;
        }
        try {
            Long reached = endpoint.getComponent().store().transactions().execute(status -> {
                long last = position;
                for (InboxEntry stored : events) {
                    if (!running) {
                        break;
                    }
                    if (accepts(stored)) {
                        Ran ran = run(routeId, stored);
                        progress.record(routeId, stored.seq(), ran.outcome(), ran.detail());
                    }
                    last = stored.seq();
                }
                if (last != position) {
                    progress.moveTo(routeId, last);
                }
                return last;
            });
            return reached;
        } catch (RuntimeException batchFailed) {
            LOG.debug("Route {} batch after {} rolled back ({}); running its events one at a time", routeId, position,
                    batchFailed.getMessage());
            long last = position;
            for (InboxEntry stored : events) {
                if (!running) {
                    break;
                }
                if (accepts(stored)) {
                    process(routeId, progress, stored);
                } else {
                    progress.moveTo(routeId, stored.seq());
                }
                last = stored.seq();
            }
            return last;
        }
    }

    /**
     * Whether to stop before the gap after {@code position} for now: true until the gap has lasted
     * {@link #GAP_GRACE}, so a late-committing append is routed in order instead of skipped.
     */
    private boolean waitForGap(long position) {
        long now = System.nanoTime();
        if (gapAfter != position) {
            gapAfter = position;
            gapSeenAtNanos = now;
        }
        if (now - gapSeenAtNanos < GAP_GRACE.toNanos()) {
            return true;
        }
        gapAfter = -1;
        return false;
    }

    private boolean accepts(InboxEntry entry) {
        return entry instanceof StoredEvent stored ? endpoint.accepts(stored) : endpoint.accepts((UnreadableEvent) entry);
    }

    private void process(String routeId, RouteProgress progress, InboxEntry stored) {
        Ran ran = run(routeId, stored);
        progress.complete(routeId, stored.seq(), ran.outcome(), ran.detail());
    }

    /** Runs a replayed route dead letter's event through the route again; the cursor stays where it is. */
    private void replay(RouteProgress progress, RouteProgress.Replay replay) {
        Ran ran = inbox().entry(replay.seq()).map(stored -> run(replay.routeId(), stored))
                .orElse(new Ran(Outcome.FAILED, "event " + replay.seq() + " is no longer in the inbox"));
        progress.completeReplay(replay, ran.outcome(), ran.detail());
    }

    /** What one run of the route on one event came to. */
    private record Ran(Outcome outcome, String detail) {
    }

    private Ran run(String routeId, InboxEntry entry) {
        if (entry instanceof UnreadableEvent row) {
            LOG.warn("Route {} passes inbox event {} ({} from {}), which cannot be decoded: {}", routeId, row.seq(),
                    row.type(), row.source(), row.reason());
            return new Ran(Outcome.FAILED, "the stored event cannot be decoded: " + row.reason());
        }
        StoredEvent stored = (StoredEvent) entry;
        Exchange exchange = createExchange(false);
        try {
            exchange.getIn().setBody(stored.event());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_SEQ, stored.seq());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_ID, stored.event().id());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_TYPE, stored.event().type().typeName());
            exchange.getIn().setHeader(SwitchboardHeaders.EVENT_SOURCE, stored.event().sourceConnection());
            exchange.getIn().setHeader(SwitchboardHeaders.SUBJECT, stored.event().subject());
            getProcessor().process(exchange);
            Exception failure = exchange.getException();
            if (failure != null) {
                LOG.warn("Route {} failed on event {} ({}): {}", routeId, stored.seq(), stored.event().type(),
                        failure.getMessage());
                return new Ran(Outcome.FAILED, describe(failure));
            } else if (Boolean.FALSE.equals(exchange.getProperty(FILTER_MATCHED, Boolean.class))) {
                return new Ran(Outcome.FILTERED, "filtered by route " + routeId);
            } else {
                return new Ran(Outcome.DONE, null);
            }
        } catch (Exception e) {
            return new Ran(Outcome.FAILED, describe(e));
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private InboxStore inbox() {
        return endpoint.getComponent().store().inbox();
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(endpoint.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
