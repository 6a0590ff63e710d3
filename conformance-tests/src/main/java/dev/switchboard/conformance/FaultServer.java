package dev.switchboard.conformance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

/**
 * A loopback WireMock server that answers every request with one failure (an HTTP status, a delay, a reset
 * connection), for {@link ErrorClassificationSuite} and {@link CheckSuite}. One per JVM, started on first use;
 * each {@link #answer} replaces what the previous test set.
 */
public final class FaultServer {

    private static WireMockServer server;

    private FaultServer() {
    }

    /** Answers every request with {@code response} from now on; returns the server's base URL. */
    public static synchronized URI answer(ResponseDefinitionBuilder response) {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "fault-server-stop"));
        }
        server.resetAll();
        server.stubFor(any(anyUrl()).willReturn(response));
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** An HTTP {@code status} with {@code body} as JSON. */
    public static ResponseDefinitionBuilder status(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** HTTP 429 with {@code Retry-After} in whole seconds. */
    public static ResponseDefinitionBuilder rateLimited(Duration retryAfter, String body) {
        return status(429, body).withHeader("Retry-After", Long.toString(retryAfter.toSeconds()));
    }

    /** A 200 that arrives only after {@code delay}. */
    public static ResponseDefinitionBuilder slow(Duration delay) {
        return status(200, "{}").withFixedDelay((int) delay.toMillis());
    }

    /** The connection is reset by the peer before any answer. */
    public static ResponseDefinitionBuilder connectionReset() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }

    /** A loopback URL where nothing listens (a port just bound and released): connections are refused. */
    public static URI nothingListening() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
