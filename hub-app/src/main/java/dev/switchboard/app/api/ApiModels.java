package dev.switchboard.app.api;

import dev.switchboard.api.model.Attempt;
import dev.switchboard.api.model.DeadLetter;
import dev.switchboard.api.model.DeadLetterStage;
import dev.switchboard.api.model.Delivery;
import dev.switchboard.api.model.DeliveryStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Maps core records to the generated API models, in one place. */
final class ApiModels {

    private ApiModels() {
    }

    static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    static Delivery delivery(dev.switchboard.core.delivery.Delivery delivery) {
        return new Delivery()
                .id(delivery.id())
                .idempotencyKey(delivery.idempotencyKey())
                .connection(delivery.connection())
                .action(delivery.action())
                .parameters(delivery.parameters())
                .eventSeq(delivery.eventSeq())
                .routeId(delivery.routeId())
                .subject(delivery.subject())
                .status(DeliveryStatus.fromValue(delivery.status().name()))
                .attempts(delivery.attempts())
                .nextAttemptAt(time(delivery.nextAttemptAt()))
                .lastError(delivery.lastError())
                .createdAt(time(delivery.createdAt()));
    }

    static Attempt attempt(dev.switchboard.core.delivery.Attempt attempt) {
        return new Attempt()
                .number(attempt.number())
                .startedAt(time(attempt.startedAt()))
                .finishedAt(time(attempt.finishedAt()))
                .outcome(Attempt.OutcomeEnum.fromValue(attempt.outcome().name()))
                .errorKind(attempt.errorKind() == null ? null : Attempt.ErrorKindEnum.fromValue(attempt.errorKind().name()))
                .error(attempt.error());
    }

    static DeadLetter deadLetter(dev.switchboard.core.delivery.DeadLetter deadLetter) {
        return new DeadLetter()
                .id(deadLetter.id())
                .stage(DeadLetterStage.fromValue(deadLetter.stage().code()))
                .deliveryId(deadLetter.deliveryId())
                .eventSeq(deadLetter.eventSeq())
                .connection(deadLetter.connection())
                .action(deadLetter.action())
                .routeId(deadLetter.routeId())
                .syncJob(deadLetter.sync() == null ? null : deadLetter.sync().job())
                .syncRunId(deadLetter.sync() == null ? null : deadLetter.sync().runId())
                .objectKey(deadLetter.sync() == null ? null : deadLetter.sync().objectKey())
                .reason(deadLetter.reason())
                .createdAt(time(deadLetter.createdAt()))
                .replayedAt(time(deadLetter.replayedAt()))
                .open(deadLetter.open());
    }

    static dev.switchboard.core.delivery.DeadLetter.Stage stage(DeadLetterStage stage) {
        return stage == null ? null : dev.switchboard.core.delivery.DeadLetter.Stage.ofCode(stage.getValue());
    }

    static Long seqToken(String pageToken) {
        if (pageToken == null || pageToken.isEmpty()) {
            return null;
        }
        try {
            long seq = Long.parseLong(pageToken);
            if (seq > 0) { // the API hands out sequence numbers and ids, which start at 1
                return seq;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiProblem.badRequest("pageToken \"" + pageToken + "\" is not a token this API returned");
    }
}
