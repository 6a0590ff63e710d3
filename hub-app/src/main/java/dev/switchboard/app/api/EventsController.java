package dev.switchboard.app.api;

import dev.switchboard.api.EventsApi;
import dev.switchboard.api.model.EventDetail;
import dev.switchboard.api.model.EventOutcome;
import dev.switchboard.api.model.EventPage;
import dev.switchboard.api.model.EventSummary;
import dev.switchboard.api.model.InjectResult;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.EventQuery;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.UnreadableEvent;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;

@RestController
class EventsController implements EventsApi {

    private static final Logger LOG = LoggerFactory.getLogger(EventsController.class);

    private final Store store;
    private final ConnectionRegistry connections;
    private final EventCodec codec = new EventCodec();

    EventsController(Store store, ConnectionRegistry connections) {
        this.store = store;
        this.connections = connections;
    }

    /**
     * A test event, checked as strictly as a webhook's (the CloudEvent decodes to a valid canonical event, from a
     * configured connection), then appended like one, so it is routed like one; marked as injected.
     */
    @Override
    public ResponseEntity<InjectResult> injectEvent(Map<String, Object> body) {
        CanonicalEvent event;
        try {
            event = codec.fromJson(codec.jsonMapper().writeValueAsBytes(body == null ? Map.of() : body));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("not a canonical event: " + e.getMessage());
        }
        String connection = event.sourceConnection();
        if (connection == null || connections.find(connection).isEmpty()) {
            throw ApiProblem.badRequest("source: must be /connections/<name> of a configured connection, was \""
                    + event.source() + "\"");
        }
        List<StoredEvent> stored = store.inbox().append(List.of(event));
        if (stored.isEmpty()) {
            return ResponseEntity.accepted().body(new InjectResult(false, event.id()));
        }
        long seq = stored.get(0).seq();
        store.inbox().markInjected(seq);
        LOG.info("Test event {} ({} from {}) injected at seq {}", event.id(), event.type(), connection, seq);
        return ResponseEntity.accepted().body(new InjectResult(true, event.id()).seq(seq));
    }

    @Override
    public ResponseEntity<EventPage> searchEvents(String type, String subject, String source, OffsetDateTime from,
                                                  OffsetDateTime to, String pageToken, Integer size) {
        if (type != null) {
            try {
                EventType.of(type);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("type: " + e.getMessage());
            }
        }
        int limit = Pages.limit(size);
        EventQuery query = new EventQuery(type, subject, source, from == null ? null : from.toInstant(),
                to == null ? null : to.toInstant(), ApiModels.seqToken(pageToken));
        // Entries, not events: a row that cannot be decoded is shown with its decode error rather than failing the page.
        List<InboxEntry> events = store.inbox().searchEntries(query, limit + 1);
        boolean more = events.size() > limit;
        List<InboxEntry> page = more ? events.subList(0, limit) : events;
        Set<Long> injected = store.inbox().injected(page.stream().map(InboxEntry::seq).toList());
        EventPage body = new EventPage(page.stream().map(entry -> summary(entry, injected)).toList());
        if (more) {
            body.nextPageToken(String.valueOf(page.get(page.size() - 1).seq()));
        }
        return ResponseEntity.ok(body);
    }

    @Override
    public ResponseEntity<EventDetail> getEvent(Long seq) {
        InboxEntry entry = store.inbox().entry(seq).orElseThrow(() -> ApiProblem.notFound("no event with seq " + seq));
        if (!(entry instanceof StoredEvent stored)) {
            // No CloudEvent to show: the summary's decodeError says why (the generated model defaults it to {}).
            return ResponseEntity.ok(new EventDetail(summary(entry, store.inbox().injected(List.of(seq))))
                    .cloudEvent(null));
        }
        Map<String, Object> cloudEvent = codec.jsonMapper().readValue(codec.toJson(stored.event()),
                new TypeReference<Map<String, Object>>() { });
        return ResponseEntity.ok(new EventDetail(summary(stored, store.inbox().injected(List.of(seq))))
                .cloudEvent(cloudEvent));
    }

    private EventSummary summary(InboxEntry entry, Set<Long> injected) {
        EventSummary summary = new EventSummary().seq(entry.seq()).receivedAt(entry.receivedAt().atOffset(ZoneOffset.UTC))
                .injected(injected.contains(entry.seq()) ? Boolean.TRUE : null);
        if (entry instanceof StoredEvent stored) {
            var event = stored.event();
            summary.id(event.id()).source(event.sourceConnection()).type(event.type().typeName())
                    .subject(event.subject()).time(event.time().atOffset(ZoneOffset.UTC));
        } else {
            UnreadableEvent row = (UnreadableEvent) entry;
            summary.id(row.id()).source(row.sourceConnection()).type(row.type()).subject(row.subject())
                    .time(row.time() == null ? null : row.time().atOffset(ZoneOffset.UTC)).decodeError(row.reason());
        }
        return summary
                .outcomes(store.routeProgress().outcomes(entry.seq()).stream()
                        .map(outcome -> new EventOutcome(outcome.routeId(),
                                EventOutcome.OutcomeEnum.fromValue(outcome.outcome().name())).step(outcome.step())
                                .detail(outcome.detail()))
                        .toList());
    }
}
