package dev.switchboard.core.testing;

import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.Fidelity;
import dev.switchboard.spi.OptionDefinition;
import dev.switchboard.spi.OptionType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test connector (type {@code scripted}) whose action target ({@code perform}) behaves as a test tells it, per
 * connection: fail transiently N times (optionally with a Retry-After), fail with a configuration error, hang
 * until released. Every call is recorded with its time, and the target notes when two calls for one subject
 * overlapped (per-subject ordering must prevent that).
 */
public class ScriptedActionConnector implements Connector {

    public static final String TYPE = "scripted";

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    /** The script of {@code connection}; by default every call succeeds. */
    public static Script script(String connection) {
        return SCRIPTS.computeIfAbsent(connection, name -> new Script(name));
    }

    public static void reset() {
        SCRIPTS.values().forEach(Script::release);
        SCRIPTS.clear();
    }

    /**
     * One recorded call.
     *
     * @param request the request
     * @param at      when it started
     */
    public record Call(ActionTarget.Request request, Instant at) {
    }

    /** What one connection's target does, and what it saw. */
    public static final class Script {

        private final String connection;
        private final Deque<RuntimeException> failures = new ArrayDeque<>();
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final Set<String> subjectsInFlight = ConcurrentHashMap.newKeySet();
        private final AtomicInteger overlaps = new AtomicInteger();
        private volatile RuntimeException always;
        private volatile CountDownLatch hang;
        private volatile Duration pause = Duration.ZERO;

        private Script(String connection) {
            this.connection = connection;
        }

        /** The next {@code times} calls fail transiently. */
        public synchronized Script failTransiently(int times) {
            for (int i = 0; i < times; i++) {
                failures.add(ConnectorException.transientFailure(connection, "tool answered 503", null));
            }
            return this;
        }

        /** The next call fails transiently with a Retry-After. */
        public synchronized Script failWithRetryAfter(Duration retryAfter) {
            failures.add(ConnectorException.retryAfter(connection, "tool answered 429", retryAfter));
            return this;
        }

        /** Every call fails with a configuration error until {@link #succeed()}. */
        public Script failPermanently() {
            always = ConnectorException.configuration(connection, "tool rejected the request: unknown workflow");
            return this;
        }

        /** Every call fails transiently until {@link #succeed()}. */
        public Script failAlwaysTransiently() {
            always = ConnectorException.transientFailure(connection, "tool is down", null);
            return this;
        }

        public Script succeed() {
            always = null;
            return this;
        }

        /** Calls hang until {@link #release()}. */
        public Script hang() {
            hang = new CountDownLatch(1);
            return this;
        }

        public Script release() {
            CountDownLatch latch = hang;
            if (latch != null) {
                latch.countDown();
            }
            return this;
        }

        /** Each call takes this long (to give overlapping calls a chance to show up). */
        public Script pause(Duration pause) {
            this.pause = pause;
            return this;
        }

        public List<Call> calls() {
            return calls;
        }

        /** Calls that carried {@code idempotencyKey}. */
        public long callsWithKey(String idempotencyKey) {
            return calls.stream().filter(c -> c.request().idempotencyKey().equals(idempotencyKey)).count();
        }

        /** How often a call started while another call for the same subject was still running. */
        public int subjectOverlaps() {
            return overlaps.get();
        }

        ActionTarget.Result perform(ActionTarget.Request request) {
            calls.add(new Call(request, Instant.now()));
            String subject = request.event().subject();
            if (!subjectsInFlight.add(subject)) {
                overlaps.incrementAndGet();
            }
            try {
                awaitHang();
                if (!pause.isZero()) {
                    Thread.sleep(pause.toMillis());
                }
                RuntimeException failure = nextFailure();
                if (failure != null) {
                    throw failure;
                }
                return new ActionTarget.Result(null, Map.of("call", String.valueOf(calls.size())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ConnectorException.transientFailure(connection, "interrupted", e);
            } finally {
                subjectsInFlight.remove(subject);
            }
        }

        private void awaitHang() throws InterruptedException {
            CountDownLatch latch = hang;
            if (latch != null) {
                latch.await(30, TimeUnit.SECONDS);
            }
        }

        private synchronized RuntimeException nextFailure() {
            RuntimeException next = failures.poll();
            return next != null ? next : always;
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public List<OptionDefinition> options() {
        return List.of(OptionDefinition.optional("url", OptionType.URL, null, "Unused; connections need no options."));
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity fidelity() {
        return Fidelity.none();
    }

    @Override
    public Connection open(ConnectionConfig config, ConnectorContext context) {
        ActionTarget target = new ActionTarget() {
            @Override
            public Set<String> actions() {
                return Set.of("run");
            }

            @Override
            public Result perform(Request request) {
                return script(config.name()).perform(request);
            }
        };
        return new ActionConnection(config.name(), "scripted connector is always reachable", target);
    }
}
