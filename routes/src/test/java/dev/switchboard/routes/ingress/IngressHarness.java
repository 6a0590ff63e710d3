package dev.switchboard.routes.ingress;

import dev.switchboard.core.config.HubConfig;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorRegistry;
import dev.switchboard.core.event.EventCodec;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.StandardWebhookTestConnector;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.webhook.StandardWebhooks;
import dev.switchboard.core.webhook.WebhookIngress;
import dev.switchboard.spi.WebhookSignatures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The hub's webhook ingress over a real H2 store with one connection per event-source connector: {@link #GITHUB},
 * {@link #MLFLOW}, {@link #SAGEMAKER} and {@link #GENERIC} (Standard Webhooks), each with its secret, plus helpers
 * that sign requests exactly as each vendor does, so a request passes verification and reaches translation.
 */
final class IngressHarness implements AutoCloseable {

    static final String GITHUB = "gh";
    static final String MLFLOW = "mlflow";
    static final String SAGEMAKER = "sm";
    static final String GENERIC = "vendor";
    static final String GITHUB_SECRET = "It's a Secret to Everybody";
    static final String MLFLOW_SECRET = "mlflow-webhook-secret-0123";
    static final String SAGEMAKER_SECRET = "eventbridge-api-key-0123";
    static final String SAGEMAKER_HEADER = "X-Switchboard-Secret";
    static final String GENERIC_SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "switchboard-test-signing-key-0123456789".getBytes(StandardCharsets.UTF_8));

    final DataSource dataSource;
    final Store store;
    final ConnectionRegistry connections;
    final WebhookIngress ingress;
    private final EventCodec codec = new EventCodec();

    IngressHarness(Path directory) {
        this(TestDatabases.h2(directory));
    }

    IngressHarness(DataSource dataSource) {
        this.dataSource = dataSource;
        store = Store.open(dataSource, Clock.systemUTC());
        HubConfig config = new HubConfig(Map.of(
                GITHUB, new HubConfig.ConnectionSpec("github", Map.of("webhook-secret", GITHUB_SECRET,
                        "api-url", "http://127.0.0.1:1")),
                MLFLOW, new HubConfig.ConnectionSpec("mlflow", Map.of("webhook-secret", MLFLOW_SECRET,
                        "tracking-url", "http://127.0.0.1:1")),
                SAGEMAKER, new HubConfig.ConnectionSpec("sagemaker", Map.of("webhook-secret", SAGEMAKER_SECRET,
                        "region", "us-east-1", "access-key-id", "AKIDEXAMPLE", "secret-access-key", "example",
                        "endpoint-override", "http://127.0.0.1:1")),
                GENERIC, new HubConfig.ConnectionSpec(StandardWebhookTestConnector.TYPE, Map.of("secret", GENERIC_SECRET))),
                null, null);
        connections = ConnectionRegistry.open(config, ConnectorRegistry.discover(getClass().getClassLoader()),
                Clock.systemUTC());
        ingress = new WebhookIngress(connections, store.inbox(), HubConfig.Webhooks.DEFAULTS, new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    WebhookIngress.Result send(String connection, Map<String, String> headers, String body) {
        return send(connection, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    WebhookIngress.Result send(String connection, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return ingress.receive(connection, multi, body, "application/json");
    }

    static Map<String, String> github(String event, String delivery, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(
                WebhookSignatures.hmacSha256(GITHUB_SECRET, body)));
        return headers;
    }

    static Map<String, String> mlflow(String delivery, long timestamp, byte[] body) {
        byte[] prefix = (delivery + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-MLflow-Delivery-Id", delivery);
        headers.put("X-MLflow-Timestamp", Long.toString(timestamp));
        headers.put("X-MLflow-Signature", "v1," + Base64.getEncoder().encodeToString(
                WebhookSignatures.hmacSha256(MLFLOW_SECRET, prefix, body)));
        return headers;
    }

    static Map<String, String> databricks(byte[] body) {
        return Map.of("X-Databricks-Signature", HexFormat.of().formatHex(
                WebhookSignatures.hmacSha256(MLFLOW_SECRET, body)));
    }

    static Map<String, String> sagemaker() {
        return Map.of(SAGEMAKER_HEADER, SAGEMAKER_SECRET);
    }

    static Map<String, String> generic(String id, byte[] body) {
        return new StandardWebhooks(GENERIC_SECRET).headers(id, Instant.now(), body);
    }

    long stored() {
        return store.inbox().count();
    }

    /**
     * Every stored event as a store that just started reads it (from the database, not this store's memory),
     * each checked to survive what routes do with it: the CloudEvents JSON and SDK forms, back to an equal event.
     */
    List<StoredEvent> readBackEverything() {
        Store cold = Store.open(dataSource, Clock.systemUTC());
        List<StoredEvent> all = cold.inbox().readAfter(0, Integer.MAX_VALUE / 2);
        for (StoredEvent stored : all) {
            byte[] json = codec.toJson(stored.event());
            if (!codec.fromJson(json).equals(stored.event())
                    || !codec.fromCloudEvent(codec.toCloudEvent(stored.event())).equals(stored.event())) {
                throw new AssertionError("event " + stored.seq() + " does not survive the codec: "
                        + new String(json, StandardCharsets.UTF_8));
            }
        }
        return all;
    }

    @Override
    public void close() {
        connections.close();
        TestDatabases.close(dataSource);
    }
}
