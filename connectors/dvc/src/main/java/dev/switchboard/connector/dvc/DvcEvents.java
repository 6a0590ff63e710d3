package dev.switchboard.connector.dvc;

import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRequest;
import java.util.List;
import java.util.Optional;

/**
 * DVC data versions as events: a push webhook, or a poll of the branch head, makes the connector walk the branch's
 * commits since the last one seen and report one {@code data_version.created} per output each commit changed.
 * Both paths give an event the id {@code dvc-<commit>:<path>}, so one that both see is stored once.
 */
final class DvcEvents implements EventSource {

    private final String connection;
    private final DvcProject project;
    private final DvcWebhooks webhooks;
    private final DvcMapper mapper;

    DvcEvents(String connection, DvcProject project, DvcWebhooks webhooks, DvcMapper mapper) {
        this.connection = connection;
        this.project = project;
        this.webhooks = webhooks;
        this.mapper = mapper;
    }

    /**
     * Verifies the push and diffs the DVC files between its {@code before} and {@code after}. For a cloned repository
     * the clone is fetched first; a push whose commit the Git server does not have (yet) is a transient failure, so
     * the sender's retry, or the next poll, reports it.
     */
    @Override
    public List<CanonicalEvent> receive(WebhookRequest request) {
        Optional<DvcWebhooks.Push> push = webhooks.verify(request);
        if (push.isEmpty()) {
            return List.of();
        }
        String after = push.get().after();
        if (project.resolve(after).isEmpty()) {
            throw ConnectorException.transientFailure(connection, "pushed commit " + after
                    + " is not in the repository yet", null);
        }
        String before = push.get().before();
        if (before != null && project.resolve(before).isEmpty()) {
            before = null; // history rewritten away: report what the pushed commit itself changed
        }
        return project.changes(before, after).stream().map(mapper::created).toList();
    }

    @Override
    public boolean polls() {
        return true;
    }

    /**
     * The cursor is the last commit of the branch seen. From {@code null} ("from now on") the current head is
     * returned with no events; from a commit, every commit since is walked, oldest first.
     */
    @Override
    public PollResult poll(String cursor) {
        Optional<String> head = project.head();
        if (head.isEmpty()) {
            return new PollResult(List.of(), cursor);
        }
        if (cursor == null) {
            return new PollResult(List.of(), head.get());
        }
        if (cursor.equals(head.get())) {
            return new PollResult(List.of(), cursor);
        }
        String from = project.resolve(cursor).isPresent() ? cursor : null;
        return new PollResult(project.changes(from, head.get()).stream().map(mapper::created).toList(), head.get());
    }
}
