package dev.switchboard.core.camel;

import dev.switchboard.core.delivery.ActionCall;
import dev.switchboard.core.delivery.StepOutcome;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.spi.ActionTarget;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * One action step of a route execution. The step is performed through the {@code ActionDispatcher}; when it is done
 * (now, or before: its recorded result), its result is put on the exchange ({@link SwitchboardHeaders#ACTION_RESULT},
 * and each output as {@link SwitchboardHeaders#ACTION_OUTPUT}{@code <name>}) and the route goes on to its next step.
 * When it is not done yet, the route stops here and the execution waits for the step's delivery
 * ({@link Suspension}); when the delivery was given up on, the route stops and the execution is dead at this step.
 *
 * <p>A parameter value may name an output of the previous action step as {@code {result.<name>}}
 * ({@code model-data-url: "{result.uri}"} after a copy), filled in before the call is made.
 */
class ActionProducer extends DefaultProducer {

    /** Exchange property: the action steps this run of the route has passed (an Integer). */
    static final String STEPS_PASSED = "SwitchboardStepsPassed";
    /** Exchange property: where the run stopped, a {@link Suspension}, when a step was not done. */
    static final String SUSPENDED = "SwitchboardSuspended";
    /** Exchange property: how often each endpoint was called in this run (so a repeated step keeps its own key). */
    private static final String OCCURRENCES = "SwitchboardStepOccurrences";
    private static final Pattern RESULT_PLACEHOLDER = Pattern.compile("\\{result\\.([A-Za-z0-9_.-]+)}");

    /**
     * Where a run of the route stopped at an action step that is not done.
     *
     * @param step       the step's position among the route's action steps, from 1
     * @param deliveryId its delivery
     * @param dead       true when the delivery was dead-lettered; false while it is still to be done
     * @param reason     for a dead one, why
     */
    record Suspension(int step, long deliveryId, boolean dead, String reason) {
    }

    private final ActionEndpoint endpoint;

    ActionProducer(ActionEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
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
        ActionTarget.Result previous = exchange.getIn().getHeader(SwitchboardHeaders.ACTION_RESULT,
                ActionTarget.Result.class);
        ActionCall call = new ActionCall(endpoint.connection(), endpoint.action(),
                withResults(endpoint.parameters(), previous), event,
                exchange.getIn().getHeader(SwitchboardHeaders.EVENT_SEQ, Long.class), routeId,
                idempotencyKey(event, routeId, uri, occurrence));
        StepOutcome outcome = endpoint.getComponent().dispatcher().perform(call);
        if (outcome instanceof StepOutcome.Completed completed) {
            ActionTarget.Result result = completed.result();
            exchange.getIn().setHeader(SwitchboardHeaders.ACTION_RESULT, result);
            result.outputs().forEach((name, value) ->
                    exchange.getIn().setHeader(SwitchboardHeaders.ACTION_OUTPUT + name, value));
        } else if (outcome instanceof StepOutcome.Waiting waiting) {
            suspend(exchange, new Suspension(step, waiting.deliveryId(), false, null));
        } else {
            StepOutcome.Dead dead = (StepOutcome.Dead) outcome;
            suspend(exchange, new Suspension(step, dead.deliveryId(), true, dead.reason()));
        }
    }

    /** Stops this run of the route here; the steps after this one run once the execution resumes. */
    private static void suspend(Exchange exchange, Suspension suspension) {
        exchange.setProperty(SUSPENDED, suspension);
        exchange.setRouteStop(true);
    }

    /** The endpoint's parameters with {@code {result.<name>}} filled from the previous step's outputs. */
    static Map<String, String> withResults(Map<String, String> parameters, ActionTarget.Result previous) {
        Map<String, String> filled = new LinkedHashMap<>();
        parameters.forEach((name, template) -> {
            Matcher matcher = RESULT_PLACEHOLDER.matcher(template);
            StringBuilder value = new StringBuilder();
            while (matcher.find()) {
                String output = previous == null ? null : previous.outputs().get(matcher.group(1));
                if (output == null) {
                    throw new IllegalArgumentException("parameter " + name + " names {result." + matcher.group(1)
                            + "}, but the previous action step " + (previous == null ? "does not exist"
                            : "has no output " + matcher.group(1) + " (it has: "
                            + String.join(", ", previous.outputs().keySet()) + ")"));
                }
                matcher.appendReplacement(value, Matcher.quoteReplacement(output));
            }
            matcher.appendTail(value);
            filled.put(name, value.toString());
        });
        return filled;
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
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {event.source().toString(), event.id(), String.valueOf(routeId), endpointUri}) {
                sha256.update(part.getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            }
            if (occurrence > 0) {
                sha256.update(String.valueOf(occurrence).getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
