package dev.switchboard.core.testing;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test connector (type {@code recording}) whose action target remembers every request, per connection, so tests
 * can observe what routes asked for. Action {@code record} succeeds; action {@code fail} throws a configuration
 * error. Registered through {@code META-INF/services} in hub-core's test jar.
 */
public class RecordingConnector implements Connector {

    public static final String TYPE = "recording";

    private static final Map<String, List<ActionTarget.Request>> CALLS = new ConcurrentHashMap<>();

    /** The requests performed on {@code connection} so far, in order. */
    public static List<ActionTarget.Request> calls(String connection) {
        return CALLS.computeIfAbsent(connection, name -> new CopyOnWriteArrayList<>());
    }

    public static void reset() {
        CALLS.clear();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public List<OptionDefinition> options() {
        return List.of(
                OptionDefinition.required("url", OptionType.URL, "Where the recorded tool would live."),
                OptionDefinition.optional("token", OptionType.STRING, null, "A credential, to test redaction.").asSecret(),
                OptionDefinition.optional("timeout", OptionType.DURATION, "5s", "How long a call may take."));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        ActionTarget target = new ActionTarget() {
            @Override
            public Set<String> actions() {
                return Set.of("record", "fail");
            }

            @Override
            public Result perform(Request request) {
                if (request.action().equals("fail")) {
                    throw ConnectorException.configuration(config.name(), "asked to fail");
                }
                calls(config.name()).add(request);
                return new Result(null, Map.of("count", String.valueOf(calls(config.name()).size())));
            }
        };
        return new ActionConnection(config.name(), "recording connector is always reachable", target);
    }
}
