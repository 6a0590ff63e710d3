package dev.switchboard.core.poll;

import dev.switchboard.core.testing.TestEvents;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A polled tool in miniature: a list of changes, and a cursor that is the number of changes already reported.
 * Polling from {@code null} starts "from now on". Counts its polls, remembers the cursors it was asked from, and
 * notices overlapping polls. Thread-safe.
 */
final class ScriptedEventSource implements EventSource {

    private final String connection;
    private final List<CanonicalEvent> changes = new CopyOnWriteArrayList<>();
    private final List<String> askedFrom = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private volatile RuntimeException failure;
    private volatile Consumer<String> duringPoll = cursor -> { };

    ScriptedEventSource(String connection) {
        this.connection = connection;
    }

    /** A new change on the tool: an alias set on {@code model} version {@code version}. */
    ScriptedEventSource change(String model, String version) {
        changes.add(TestEvents.aliasSet(connection, "change-" + changes.size(), model, version, "champion"));
        return this;
    }

    /** From now on every poll throws {@code failure}; {@code null} heals it. */
    ScriptedEventSource failWith(RuntimeException failure) {
        this.failure = failure;
        return this;
    }

    /** Runs inside every poll, before it answers: to block it, or to let another instance act meanwhile. */
    ScriptedEventSource duringPoll(Consumer<String> action) {
        this.duringPoll = action;
        return this;
    }

    int pollCount() {
        return askedFrom.size();
    }

    /** The cursors polls were asked from, in order ({@code "null"} for the first). */
    List<String> askedFrom() {
        return List.copyOf(askedFrom);
    }

    int overlaps() {
        return overlaps.get();
    }

    @Override
    public boolean polls() {
        return true;
    }

    @Override
    public PollResult poll(String cursor) {
        askedFrom.add(String.valueOf(cursor));
        if (inFlight.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        try {
            duringPoll.accept(cursor);
            RuntimeException failing = failure;
            if (failing != null) {
                throw failing;
            }
            List<CanonicalEvent> all = new ArrayList<>(changes);
            if (cursor == null) {
                return new PollResult(List.of(), Integer.toString(all.size()));
            }
            int from = Integer.parseInt(cursor);
            return new PollResult(all.subList(from, all.size()), Integer.toString(all.size()));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public List<CanonicalEvent> receive(WebhookRequest request) {
        throw new UnsupportedOperationException("this source is only polled");
    }
}
