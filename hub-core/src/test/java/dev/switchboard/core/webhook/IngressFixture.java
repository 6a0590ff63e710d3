package dev.switchboard.core.webhook;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.RecordingConnector;
import dev.switchboard.core.testing.StandardWebhookTestConnector;
import dev.switchboard.core.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * An ingress over H2 with connection {@code vendor} (type {@code std-webhook-test}, signed with {@link #SECRET}) and
 * connection {@code deploy} (no event source), plus helpers to make signed requests.
 */
final class IngressFixture implements AutoCloseable {

    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "switchboard-test-signing-key-0123456789".getBytes(StandardCharsets.UTF_8));
    static final String JSON = "application/json";
    static final int MAX_BODY = 1024 * 1024;
    static final StandardWebhooks SIGNER = new StandardWebhooks(SECRET);
    private static final AtomicInteger IDS = new AtomicInteger();

    final DataSource dataSource;
    final Store store;
    final ConnectionRegistry connections;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final WebhookIngress ingress;

    IngressFixture(Path directory) {
        dataSource = TestDatabases.h2(directory);
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                "vendor", new HubConfig.ConnectionSpec(StandardWebhookTestConnector.TYPE, Map.of("secret", SECRET)),
                "deploy", new HubConfig.ConnectionSpec(RecordingConnector.TYPE, Map.of("url", "http://127.0.0.1:1"))),
                null, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        ingress = new WebhookIngress(connections, store.inbox(), new HubConfig.Webhooks(MAX_BODY, 300), meters,
                Clock.systemUTC());
    }

    static byte[] aliasSet(String model) {
        return ("{\"type\":\"model_version.alias_set\",\"model\":\"" + model
                + "\",\"version\":\"3\",\"alias\":\"champion\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Headers signed with {@link #SECRET} for {@code body}, with a fresh webhook-id and the current time. */
    static Map<String, List<String>> signed(byte[] body) {
        return signed("msg_" + IDS.incrementAndGet(), Instant.now(), body);
    }

    static Map<String, List<String>> signed(String id, Instant at, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        SIGNER.headers(id, at, body).forEach((name, value) -> headers.put(name, List.of(value)));
        return headers;
    }

    WebhookIngress.Result send(byte[] body, Map<String, List<String>> headers) {
        return ingress.receive("vendor", headers, body, JSON);
    }

    double webhooks(String outcome, String reason) {
        var counter = meters.find("switchboard.webhooks").tags("outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        connections.close();
        TestDatabases.close(dataSource);
    }
}
