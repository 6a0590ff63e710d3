package dev.switchboard.app.api;

import dev.switchboard.api.EventsApi;
import dev.switchboard.api.model.EventDetail;
import dev.switchboard.api.model.EventOutcome;
import dev.switchboard.api.model.EventPage;
import dev.switchboard.api.model.EventSummary;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.EventQuery;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.model.EventType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;

@RestController
class EventsController implements EventsApi {

    private final Store store;
    private final EventCodec codec = new EventCodec();

    EventsController(Store store) {
        this.store = store;
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
                to == null ? null : to.toInstant(), beforeSeq(pageToken));
        List<StoredEvent> events = store.inbox().search(query, limit + 1);
        boolean more = events.size() > limit;
        List<StoredEvent> page = more ? events.subList(0, limit) : events;
        EventPage body = new EventPage(page.stream().map(this::summary).toList());
        if (more) {
            body.nextPageToken(String.valueOf(page.get(page.size() - 1).seq()));
        }
        return ResponseEntity.ok(body);
    }

    @Override
    public ResponseEntity<EventDetail> getEvent(Long seq) {
        StoredEvent stored = store.inbox().get(seq).orElseThrow(() -> ApiProblem.notFound("no event with seq " + seq));
        Map<String, Object> cloudEvent = codec.jsonMapper().readValue(codec.toJson(stored.event()),
                new TypeReference<Map<String, Object>>() { });
        return ResponseEntity.ok(new EventDetail(summary(stored), cloudEvent));
    }

    private EventSummary summary(StoredEvent stored) {
        var event = stored.event();
        return new EventSummary()
                .seq(stored.seq())
                .id(event.id())
                .source(event.sourceConnection())
                .type(event.type().typeName())
                .subject(event.subject())
                .time(event.time().atOffset(ZoneOffset.UTC))
                .receivedAt(stored.receivedAt().atOffset(ZoneOffset.UTC))
                .outcomes(store.routeProgress().outcomes(stored.seq()).stream()
                        .map(entry -> new EventOutcome(entry.routeId(),
                                EventOutcome.OutcomeEnum.fromValue(entry.outcome().name())).detail(entry.detail()))
                        .toList());
    }

    private static Long beforeSeq(String pageToken) {
        if (pageToken == null || pageToken.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(pageToken);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("pageToken \"" + pageToken + "\" is not a token this API returned");
        }
    }
}
