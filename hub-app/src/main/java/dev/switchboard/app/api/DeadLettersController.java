package dev.switchboard.app.api;

import dev.switchboard.api.DeadLettersApi;
import dev.switchboard.api.model.DeadLetterDetail;
import dev.switchboard.api.model.DeadLetterFilter;
import dev.switchboard.api.model.DeadLetterPage;
import dev.switchboard.api.model.DeadLetterStage;
import dev.switchboard.api.model.ReplayResult;
import dev.switchboard.core.delivery.DeadLetters;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DeadLettersController implements DeadLettersApi {

    private final DeadLetters deadLetters;

    DeadLettersController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public ResponseEntity<DeadLetterPage> listDeadLetters(String connection, DeadLetterStage stage, OffsetDateTime from,
                                                          OffsetDateTime to, Boolean open, String pageToken, Integer size) {
        ApiModels.seqToken(pageToken);
        var filter = new dev.switchboard.core.delivery.DeadLetterFilter(connection, ApiModels.stage(stage),
                ApiModels.instant(from), ApiModels.instant(to), open);
        Page<dev.switchboard.core.delivery.DeadLetter> page =
                deadLetters.list(filter, new PageRequest(pageToken, Pages.limit(size)));
        return ResponseEntity.ok(new DeadLetterPage(page.items().stream().map(ApiModels::deadLetter).toList())
                .nextPageToken(page.nextPageToken()));
    }

    @Override
    public ResponseEntity<DeadLetterDetail> getDeadLetter(Long id) {
        DeadLetters.Detail detail = deadLetters.get(id)
                .orElseThrow(() -> ApiProblem.notFound("no dead letter with id " + id));
        return ResponseEntity.ok(new DeadLetterDetail(ApiModels.deadLetter(detail.deadLetter()),
                detail.attempts().stream().map(ApiModels::attempt).toList())
                .delivery(detail.delivery().map(ApiModels::delivery).orElse(null)));
    }

    @Override
    public ResponseEntity<ReplayResult> replayDeadLetter(Long id) {
        DeadLetters.ReplayResult result = deadLetters.replay(id);
        return switch (result.outcome()) {
            case REPLAYED, FAILED_AGAIN -> ResponseEntity.ok(result(result));
            case NOT_FOUND -> throw ApiProblem.notFound("no dead letter with id " + id);
            case ALREADY_REPLAYED -> throw new ApiProblem(HttpStatus.CONFLICT, "dead letter " + id
                    + " was replayed before; its work is queued or done");
            case NOT_REPLAYABLE -> throw new ApiProblem(HttpStatus.CONFLICT, "dead letter " + id
                    + " names nothing that can run again");
        };
    }

    @Override
    public ResponseEntity<List<ReplayResult>> replayDeadLetters(DeadLetterFilter filter) {
        var coreFilter = new dev.switchboard.core.delivery.DeadLetterFilter(filter.getConnection(),
                ApiModels.stage(filter.getStage()), ApiModels.instant(filter.getFrom()), ApiModels.instant(filter.getTo()),
                true);
        return ResponseEntity.ok(deadLetters.replayAll(coreFilter).stream().map(DeadLettersController::result).toList());
    }

    private static ReplayResult result(DeadLetters.ReplayResult result) {
        return new ReplayResult(result.id(), ReplayResult.OutcomeEnum.fromValue(result.outcome().name()));
    }
}
