package dev.switchboard.app.api;

import dev.switchboard.api.ConnectionsApi;
import dev.switchboard.api.model.CheckResult;
import dev.switchboard.api.model.Connection;
import dev.switchboard.api.model.ConnectionPage;
import dev.switchboard.core.connection.ConnectionRegistry;
import dev.switchboard.core.connector.ConnectorOrigin;
import dev.switchboard.core.connector.ConnectorRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ConnectionsController implements ConnectionsApi {

    private final ConnectionRegistry connections;
    private final ConnectorRegistry connectors;

    ConnectionsController(ConnectionRegistry connections, ConnectorRegistry connectors) {
        this.connections = connections;
        this.connectors = connectors;
    }

    @Override
    public ResponseEntity<ConnectionPage> listConnections(String pageToken, Integer size) {
        List<Connection> all = connections.all().stream().map(entry -> {
            // Every open connection's type is in the registry it was opened from; the fallback only guards a host
            // that opened connections from another registry.
            ConnectorOrigin origin = connectors.origin(entry.connector().type()).orElseGet(() -> new ConnectorOrigin(
                    ConnectorOrigin.BUILT_IN, null, ConnectorOrigin.jarOf(
                    ConnectorOrigin.implementationOf(entry.connector()))));
            return new Connection(entry.connection().name(), entry.connector().type(), entry.connector().version(),
                    origin.plugin(), origin.jar(), entry.connector().capabilities().stream()
                            .map(c -> Connection.CapabilitiesEnum.fromValue(c.name())).sorted().toList());
        }).toList();
        Pages.Slice<Connection> page = Pages.slice(all, pageToken, size);
        return ResponseEntity.ok(new ConnectionPage(page.items()).nextPageToken(page.next()));
    }

    @Override
    public ResponseEntity<CheckResult> checkConnection(String name, Integer timeoutSeconds) {
        var entry = connections.find(name).orElseThrow(() -> ApiProblem.notFound("no connection named " + name));
        Duration timeout = Duration.ofSeconds(timeoutSeconds == null ? 10 : timeoutSeconds);
        if (timeout.isNegative() || timeout.isZero() || timeout.getSeconds() > 120) {
            throw ApiProblem.badRequest("timeoutSeconds must be between 1 and 120, was " + timeoutSeconds);
        }
        long started = System.nanoTime();
        // A connector should honour the timeout itself; this guard keeps a misbehaving one from holding the request.
        dev.switchboard.spi.CheckResult result = CompletableFuture
                .supplyAsync(() -> entry.connection().check(timeout))
                .completeOnTimeout(null, timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(failure -> dev.switchboard.spi.CheckResult.failed(
                        "check failed: " + failure.getCause().getMessage(), Duration.ofNanos(System.nanoTime() - started)))
                .join();
        if (result == null) {
            result = dev.switchboard.spi.CheckResult.failed("no answer within " + timeout.getSeconds() + " s", timeout);
        }
        return ResponseEntity.ok(new CheckResult(name, result.ok(), result.message(), result.took().toMillis()));
    }
}
