package dev.switchboard.conformance;

import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Options;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fixture {@link CheckSuite} and {@link ErrorClassificationSuite} share: the connector's configuration pointed
 * at any URL, so a suite can put a tool that misbehaves on purpose (the kit's {@link FaultServer}) or nothing at
 * all behind it.
 */
public interface PointedConnector extends ConnectorUnderTest {

    /**
     * A valid configuration like the test's own, with the tool's URL replaced by {@code baseUrl} (an
     * {@code http://127.0.0.1:<port>} URL) and the connector's request timeout set to {@link #requestTimeout()}.
     */
    ConnectionConfig configPointingAt(URI baseUrl);

    /** The request timeout {@link #configPointingAt} sets; a tool slower than this must fail as TRANSIENT. */
    default Duration requestTimeout() {
        return Duration.ofSeconds(1);
    }

    /** The values of the secret options of {@code config}: what no message or exception may contain. */
    default List<String> secretsOf(ConnectionConfig config) {
        Set<String> secret = Options.secrets(connector().options());
        return config.options().entrySet().stream().filter(option -> secret.contains(option.getKey()))
                .map(Map.Entry::getValue).filter(value -> value != null && value.length() >= 4).toList();
    }

    /** Every message of {@code failure} and its causes and suppressed exceptions, for the no-echo checks. */
    static List<String> messagesOf(Throwable failure) {
        List<String> messages = new ArrayList<>();
        collect(failure, messages, 0);
        return messages;
    }

    private static void collect(Throwable failure, List<String> messages, int depth) {
        if (failure == null || depth > 20) {
            return;
        }
        messages.add(String.valueOf(failure.getMessage()));
        messages.add(failure.toString());
        for (Throwable suppressed : failure.getSuppressed()) {
            collect(suppressed, messages, depth + 1);
        }
        collect(failure.getCause(), messages, depth + 1);
    }
}
