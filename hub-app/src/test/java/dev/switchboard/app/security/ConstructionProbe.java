package dev.switchboard.app.security;

/**
 * A class that submitted route text names, to prove nothing loads or instantiates it: its static initialiser and
 * its constructors count in {@link ProbeCounter} (a class of its own, so that reading the count initialises nothing).
 */
public class ConstructionProbe {

    public static final String NAME = "probe";

    static {
        ProbeCounter.EVENTS.incrementAndGet();
    }

    public ConstructionProbe() {
        ProbeCounter.EVENTS.incrementAndGet();
    }

    public ConstructionProbe(String anything) {
        ProbeCounter.EVENTS.incrementAndGet();
    }

    public static ConstructionProbe create() {
        return new ConstructionProbe();
    }
}
