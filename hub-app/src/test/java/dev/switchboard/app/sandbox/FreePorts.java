package dev.switchboard.app.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for sandbox tests: the sandbox takes {@code base-port} to {@code base-port + 3}. */
final class FreePorts {

    private FreePorts() {
    }

    /** The first of {@code count} consecutive free loopback ports. */
    static int range(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
                base = probe.getLocalPort();
            }
            if (base + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int i = 1; i < count && free; i++) {
                try (ServerSocket socket = new ServerSocket(base + i, 0, InetAddress.getLoopbackAddress())) {
                    // free
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free loopback ports");
    }
}
