package dev.switchboard.app.security;

import java.util.concurrent.atomic.AtomicInteger;

/** How often {@link ConstructionProbe} was initialised or constructed. */
public final class ProbeCounter {

    public static final AtomicInteger EVENTS = new AtomicInteger();

    private ProbeCounter() {
    }
}
