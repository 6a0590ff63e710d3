package dev.switchboard.core.camel;

import dev.switchboard.core.store.RunWrites;
import dev.switchboard.model.CanonicalEvent;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code to: switchboard:events}: appends the body, a {@link CanonicalEvent}, to the inbox; in a route execution's
 * run, with the run's end ({@link RunWrites}).
 */
class EventsProducer extends DefaultProducer {

    EventsProducer(EventsEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getIn().getMandatoryBody(CanonicalEvent.class);
        var inbox = ((EventsEndpoint) getEndpoint()).getComponent().store().inbox();
        RunWrites writes = EventsConsumer.runWrites(exchange);
        if (writes != null) {
            inbox.appendWith(List.of(event), writes); // stored with the run's end
        } else {
            EventsConsumer.storeCall(exchange, () -> inbox.append(List.of(event)));
        }
    }
}
