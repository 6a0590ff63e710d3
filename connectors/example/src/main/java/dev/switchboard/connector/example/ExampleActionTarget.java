package dev.switchboard.connector.example;

import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.ConnectorException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One action, {@code record-note}: keeps the note a route sends, as a stand-in for "dispatch a workflow".
 * The idempotency key makes a retried delivery return the note the first attempt recorded.
 */
final class ExampleActionTarget implements ActionTarget {

    static final String RECORD_NOTE = "record-note";

    private final String connection;
    private final Map<String, ResourceRef> byKey = new HashMap<>();
    private final Map<ResourceRef, String> notes = new HashMap<>();

    ExampleActionTarget(String connection) {
        this.connection = connection;
    }

    @Override
    public Set<String> actions() {
        return Set.of(RECORD_NOTE);
    }

    /** Declares the action's parameters, so a route's typo is found when the routes load. */
    @Override
    public List<Action> describe() {
        return List.of(Action.of(RECORD_NOTE, "Records a note; outputs noteId",
                Parameter.required("note", "The note's text")));
    }

    @Override
    public synchronized Result perform(Request request) {
        if (!RECORD_NOTE.equals(request.action())) {
            throw ConnectorException.configuration(connection, "unknown action " + request.action()
                    + "; known actions: " + RECORD_NOTE);
        }
        String note = request.require(connection, "note");
        ResourceRef started = byKey.computeIfAbsent(request.idempotencyKey(),
                key -> ResourceRef.of("example", connection, "note", Integer.toString(notes.size() + 1)));
        notes.putIfAbsent(started, note);
        return new Result(started, Map.of("noteId", started.nativeId()));
    }

    @Override
    public synchronized Optional<Status> status(ResourceRef started) {
        return notes.containsKey(started) ? Optional.of(new Status(RunStatus.SUCCEEDED, started)) : Optional.empty();
    }
}
