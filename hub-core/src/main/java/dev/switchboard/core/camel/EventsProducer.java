package dev.switchboard.core.camel;

import dev.switchboard.model.CanonicalEvent;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** {@code to: switchboard:events}: appends the body, a {@link CanonicalEvent}, to the inbox. */
class EventsProducer extends DefaultProducer {

    EventsProducer(EventsEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getIn().getMandatoryBody(CanonicalEvent.class);
        EventsConsumer.storeCall(exchange, () ->
                ((EventsEndpoint) getEndpoint()).getComponent().store().inbox().append(List.of(event)));
    }
}
