package dev.switchboard.core.camel;

import dev.switchboard.core.delivery.ActionCall;
import dev.switchboard.core.delivery.StepOutcome;
import dev.switchboard.core.store.RunWrites;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.IdempotencyKey;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.DefaultProducer;

/**
 * One action step of a route execution. The step is performed through the {@code ActionDispatcher}; when it is done
 * (now, or before: its recorded result), its result is put on the exchange ({@link SwitchboardHeaders#ACTION_RESULT},
 * and each output as {@link SwitchboardHeaders#ACTION_OUTPUT}{@code <name>}) and the route goes on to its next step.
 * When it is not done yet, the route stops here and the execution waits for the step's delivery
 * ({@link Suspension}); when the delivery was given up on, the route stops and the execution is dead at this step.
 *
 * <p>Parameter values are Camel Simple ({@link ActionParameters}): {@code model-data-url: "${variable.result[uri]}"}
 * after a copy. They are resolved here, before the call is handed to the dispatcher, so the delivery stores plain
 * values; the step's idempotency key is of the endpoint URI as written, so it does not depend on them.
 */
class ActionProducer extends DefaultProducer {

    /** Exchange property: the action steps this run of the route has passed (an Integer). */
    static final String STEPS_PASSED = "SwitchboardStepsPassed";
    /** Exchange property: where the run stopped, a {@link Suspension}, when a step was not done. */
    static final String SUSPENDED = "SwitchboardSuspended";
    /** Exchange property: how often each endpoint was called in this run (so a repeated step keeps its own key). */
    private static final String OCCURRENCES = "SwitchboardStepOccurrences";

    /**
     * Where a run of the route stopped at an action step that is not done.
     *
     * @param step       the step's position among the route's action steps, from 1
     * @param endpointUri the step's endpoint ({@link org.apache.camel.Endpoint#getEndpointUri()})
     * @param deliveryId its delivery, or null when the run's writes store it ({@code deliveryKey})
     * @param deliveryKey the idempotency key of the delivery the run's writes store, or null
     * @param dead       true when the delivery was dead-lettered; false while it is still to be done
     * @param reason     for a dead one, why
     */
    record Suspension(int step, String endpointUri, Long deliveryId, String deliveryKey, boolean dead, String reason) {
    }

    private final ActionEndpoint endpoint;
    private Map<String, Expression> compiled;

    ActionProducer(ActionEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        compiled = ActionParameters.compile(getEndpoint().getCamelContext(), endpoint.parameters());
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getIn().getMandatoryBody(CanonicalEvent.class);
        String routeId = exchange.getFromRouteId();
        int step = exchange.getProperty(STEPS_PASSED, 0, Integer.class) + 1;
        exchange.setProperty(STEPS_PASSED, step);
        @SuppressWarnings("unchecked")
        Map<String, Integer> occurrences = exchange.getProperty(OCCURRENCES, Map.class);
        if (occurrences == null) {
            occurrences = new HashMap<>();
            exchange.setProperty(OCCURRENCES, occurrences);
        }
        String uri = endpoint.getEndpointUri();
        int occurrence = occurrences.merge(uri, 1, Integer::sum) - 1;
        ActionParameters.bindEvent(exchange, event);
        ActionCall call = new ActionCall(endpoint.connection(), endpoint.action(),
                ActionParameters.resolve(exchange, endpoint.parameters(), compiled), event,
                exchange.getIn().getHeader(SwitchboardHeaders.EVENT_SEQ, Long.class), routeId,
                idempotencyKey(event, routeId, uri, occurrence));
        RunWrites writes = EventsConsumer.runWrites(exchange);
        StepOutcome outcome = EventsConsumer.storeCall(exchange, () -> writes == null
                ? endpoint.getComponent().dispatcher().perform(call)
                : endpoint.getComponent().dispatcher().perform(call, writes));
        if (outcome instanceof StepOutcome.Completed completed) {
            ActionTarget.Result result = completed.result();
            exchange.getIn().setHeader(SwitchboardHeaders.ACTION_RESULT, result);
            ActionParameters.bindResult(exchange, result);
            result.outputs().forEach((name, value) ->
                    exchange.getIn().setHeader(SwitchboardHeaders.ACTION_OUTPUT + name, value));
        } else if (outcome instanceof StepOutcome.Waiting waiting) {
            suspend(exchange, new Suspension(step, uri, waiting.deliveryId(), null, false, null));
        } else if (outcome instanceof StepOutcome.Queued queued) {
            suspend(exchange, new Suspension(step, uri, null, queued.idempotencyKey(), false, null));
        } else {
            StepOutcome.Dead dead = (StepOutcome.Dead) outcome;
            suspend(exchange, new Suspension(step, uri, dead.deliveryId(), null, true, dead.reason()));
        }
    }

    /** Stops this run of the route here; the steps after this one run once the execution resumes. */
    private static void suspend(Exchange exchange, Suspension suspension) {
        exchange.setProperty(SUSPENDED, suspension);
        exchange.setRouteStop(true);
    }

    /** {@link #idempotencyKey(CanonicalEvent, String, String, int)} of an endpoint's first use in the route. */
    static String idempotencyKey(CanonicalEvent event, String routeId, String endpointUri) {
        return idempotencyKey(event, routeId, endpointUri, 0);
    }

    /**
     * The same for every attempt and every run of this step for this event, and different for every other step or
     * event: a digest of the event's identity, the route, the endpoint and, when the route calls the same endpoint
     * more than once, which of those calls this is ({@code occurrence} from 0; the first call's key is the digest
     * without it, as before steps were numbered).
     */
    static String idempotencyKey(CanonicalEvent event, String routeId, String endpointUri, int occurrence) {
        String source = event.source().toString();
        String route = String.valueOf(routeId);
        return occurrence == 0 ? IdempotencyKey.of(source, event.id(), route, endpointUri)
                : IdempotencyKey.of(source, event.id(), route, endpointUri, String.valueOf(occurrence));
    }
}
