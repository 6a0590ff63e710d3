package dev.switchboard.app.api;

import dev.switchboard.api.DeliveriesApi;
import dev.switchboard.api.model.DeliveryDetail;
import dev.switchboard.api.model.DeliveryPage;
import dev.switchboard.api.model.DeliveryStatus;
import dev.switchboard.core.delivery.Delivery;
import dev.switchboard.core.delivery.Outbox;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DeliveriesController implements DeliveriesApi {

    private final Outbox outbox;

    DeliveriesController(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public ResponseEntity<DeliveryPage> listDeliveries(String connection, DeliveryStatus status, String pageToken,
                                                       Integer size) {
        int limit = Pages.limit(size);
        List<Delivery> rows = outbox.list(connection, status == null ? null : Delivery.Status.valueOf(status.getValue()),
                ApiModels.seqToken(pageToken), limit + 1);
        List<Delivery> page = rows.size() > limit ? rows.subList(0, limit) : rows;
        DeliveryPage body = new DeliveryPage(page.stream().map(ApiModels::delivery).toList());
        if (rows.size() > limit) {
            body.nextPageToken(String.valueOf(page.get(page.size() - 1).id()));
        }
        return ResponseEntity.ok(body);
    }

    @Override
    public ResponseEntity<DeliveryDetail> getDelivery(Long id) {
        Delivery delivery = outbox.get(id).orElseThrow(() -> ApiProblem.notFound("no delivery with id " + id));
        return ResponseEntity.ok(new DeliveryDetail(ApiModels.delivery(delivery),
                outbox.attempts(id).stream().map(ApiModels::attempt).toList()));
    }
}
