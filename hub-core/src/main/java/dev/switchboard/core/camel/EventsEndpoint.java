package dev.switchboard.core.camel;

import dev.switchboard.model.EventType;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Route Switchboard's canonical events: consume them from the inbox as durable route executions (switchboard:events),
 * and perform a connection's action through the outbox (switchboard:CONNECTION/ACTION).
 *
 * <p>{@code switchboard:events} runs the route once per canonical event of the inbox, optionally only some types and
 * sources (the route's subscription), as a durable route execution. Any number of routes may consume the same
 * events, each with executions of its own. (The first paragraph above is the component's description in Camel's
 * catalog, so it is plain text.)
 *
 * <p>This class carries the component's catalog metadata ({@link UriEndpoint}) for both of its verbs, because Camel's
 * catalog knows one endpoint per scheme: the path {@code target} is {@code events} or {@code <connection>/<action>}.
 * An action's parameters are the connector's, declared through {@link dev.switchboard.spi.ActionTarget#describe()}
 * and checked by {@link RouteValidator}, so the catalog marks the endpoint lenient rather than listing them.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = SwitchboardComponent.SCHEME, title = "Switchboard",
        syntax = "switchboard:target", category = {Category.WORKFLOW, Category.MESSAGING},
        headersClass = SwitchboardHeaders.class, lenientProperties = true)
public class EventsEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    static final String PATH = "events";

    @UriPath(description = "events (consume or append canonical events) or CONNECTION/ACTION (perform a connection's "
            + "action, for example github-deploy/dispatch-workflow; every query parameter then belongs to the action, "
            + "as the connector declares it)")
    @Metadata(required = true)
    private String target = PATH;

    @UriParam(label = "consumer",
            description = "Comma-separated event types to consume (model_version.alias_set); all when absent")
    private String type;

    @UriParam(label = "consumer", description = "Comma-separated connections whose events to consume; all when absent")
    private String source;

    @UriParam(label = "consumer", description = "Where a route that never ran starts: end (only new events) or beginning",
            defaultValue = "end", enums = "end,beginning")
    private String startAt = "end";

    @UriParam(label = "consumer", description = "How many executions of this route run at once on this instance (different subjects)",
            defaultValue = "32")
    private int concurrency = 32;

    @UriParam(label = "consumer", description = "How often to look for runnable executions when nothing in this process woke the route "
            + "(work of other instances), in ms", defaultValue = "1000")
    private long pollIntervalMs = 1000;

    private Set<EventType> types = Set.of();
    private Set<String> sources = Set.of();

    EventsEndpoint(String uri, SwitchboardComponent component) {
        super(uri, component);
    }

    @Override
    public SwitchboardComponent getComponent() {
        return (SwitchboardComponent) super.getComponent();
    }

    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    @Override
    public Producer createProducer() {
        return new EventsProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!"end".equals(startAt) && !"beginning".equals(startAt)) {
            throw new IllegalArgumentException("switchboard:events startAt must be end or beginning, was \"" + startAt + "\"");
        }
        EventsConsumer consumer = new EventsConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /** The event type names this endpoint's route subscribes to; empty for all. */
    Set<String> typeNames() {
        return types.stream().map(EventType::typeName).collect(Collectors.toUnmodifiableSet());
    }

    /** The connections whose events this endpoint's route subscribes to; empty for all. */
    Set<String> sourceNames() {
        return sources;
    }

    public String getTarget() {
        return target;
    }

    /** Set by the component from the path; only {@value #PATH} reaches this class. */
    public void setTarget(String target) {
        this.target = target;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
        // EventType.of names the unknown type and lists the known ones, so a typo fails at route start.
        this.types = split(type).stream().map(EventType::of).collect(Collectors.toUnmodifiableSet());
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
        this.sources = split(source);
    }

    public String getStartAt() {
        return startAt;
    }

    public void setStartAt(String startAt) {
        this.startAt = startAt;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("switchboard:events concurrency must be at least 1, was " + concurrency);
        }
        this.concurrency = concurrency;
    }

    public long getPollIntervalMs() {
        return pollIntervalMs;
    }

    public void setPollIntervalMs(long pollIntervalMs) {
        this.pollIntervalMs = pollIntervalMs;
    }

    Duration pollInterval() {
        return Duration.ofMillis(pollIntervalMs);
    }

    private static Set<String> split(String list) {
        return list == null ? Set.of() : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
