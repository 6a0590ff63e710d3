package dev.switchboard.conformance.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Extension;
import java.net.URI;

/**
 * A stateful fake of one vendor API on a loopback WireMock server, whose {@link #api() transformer} answers every
 * request. In tests, put it in a {@code @Fake} field (see {@link StandIn}): it starts once per test class and
 * forgets all state before each test; or start and stop it yourself, as the hub's sandbox does.
 *
 * @param <F> the fake's own type, so {@link #start()} can be chained
 */
public abstract class WireMockFake<F extends WireMockFake<F>> implements StandIn {

    private final Faults faults = new Faults();
    private WireMockServer server;

    /** The WireMock extension that implements the vendor API (a response transformer). */
    protected abstract Extension api();

    /** Forgets the fake's own state: objects, webhooks, credentials, modes. */
    protected abstract void resetState();

    /** Starts the server on a free loopback port; idempotent. */
    @Override
    public synchronized F start() {
        return start(0);
    }

    /**
     * Starts the server on a given loopback port ({@code 0}: a free one); idempotent. A fixed port lets a
     * configuration name the fake's URL before it starts, as the hub's sandbox does.
     */
    public synchronized F start(int port) {
        if (server == null) {
            WireMockConfiguration options = WireMockConfiguration.options().bindAddress("127.0.0.1").extensions(api());
            server = new WireMockServer(port == 0 ? options.dynamicPort() : options.port(port));
            server.start();
            server.stubFor(any(anyUrl()).willReturn(aResponse()));
        }
        @SuppressWarnings("unchecked")
        F self = (F) this;
        return self;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** Forgets every object, fault and recorded request. */
    @Override
    public synchronized void reset() {
        resetState();
        faults.clear();
        if (server != null) {
            server.resetRequests();
        }
    }

    /** {@code http://127.0.0.1:<port>} of the running server. */
    protected URI loopbackUri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The WireMock server, for verifying requests ({@code server().verify(...)}). */
    public WireMockServer server() {
        return server;
    }

    /** Faults to inject into the fake's answers (5xx, 429 with Retry-After, resets, slow answers). */
    public Faults faults() {
        return faults;
    }
}
