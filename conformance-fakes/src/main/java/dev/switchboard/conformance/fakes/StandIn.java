package dev.switchboard.conformance.fakes;

/**
 * A stand-in for a vendor tool that runs on loopback: a stateful fake or a real compatible server (S3Proxy).
 *
 * <p>The fakes depend on no test framework, so the hub's sandbox can run them too. In JUnit tests, annotate a
 * {@code static final} field with the kit's {@code @Fake} ({@code dev.switchboard.conformance.Fake}): it starts
 * the stand-in before the class's tests, {@linkplain #reset() resets} it before each test and stops it after the
 * class. Elsewhere, call {@link #start()} and {@link #stop()} yourself.
 */
public interface StandIn extends AutoCloseable {

    /** Starts it on a free loopback port; idempotent. */
    StandIn start();

    /** Forgets what the previous test left (objects, faults, recorded requests); a no-op where nothing is kept. */
    default void reset() {
    }

    /** Stops it; idempotent. */
    void stop();

    @Override
    default void close() {
        stop();
    }
}
