package dev.switchboard.core.camel;

import dev.switchboard.model.EventType;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.store.UnreadableEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code switchboard:events}: consume canonical events from the inbox, optionally only some types and sources.
 * Any number of routes may consume the same events, each keeping its own position.
 */
public class EventsEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    static final String PATH = "events";

    @UriParam(description = "Comma-separated event types to consume (model_version.alias_set); all when absent")
    private String type;

    @UriParam(description = "Comma-separated connections whose events to consume; all when absent")
    private String source;

    @UriParam(description = "Where a route that never ran starts: end (only new events) or beginning",
            defaultValue = "end", enums = "end,beginning")
    private String startAt = "end";

    @UriParam(description = "How many inbox events to read per batch", defaultValue = "100")
    private int batchSize = 100;

    @UriParam(description = "How often to look at the inbox when no append woke the consumer, in ms",
            defaultValue = "1000")
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

    /** Whether this endpoint's consumer wants {@code stored}. */
    boolean accepts(StoredEvent stored) {
        return (types.isEmpty() || types.contains(stored.event().type()))
                && (sources.isEmpty() || sources.contains(stored.event().sourceConnection()));
    }

    /**
     * Whether this endpoint's consumer would have wanted the event in a row that cannot be decoded, judged by the
     * row's type and source columns, so the route that would have run on it gets the dead letter.
     */
    boolean accepts(UnreadableEvent row) {
        return (types.isEmpty() || types.stream().anyMatch(type -> type.typeName().equals(row.type())))
                && (sources.isEmpty() || sources.contains(row.sourceConnection()));
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

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
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
