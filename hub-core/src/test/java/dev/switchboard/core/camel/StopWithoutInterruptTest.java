package dev.switchboard.core.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.delivery.ActionDispatcher;
import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.store.StoredEvent;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A route stopped (a reload, a pause) while its lease heartbeat is renewing is not interrupted: H2 with the shipped
 * {@code WRITE_DELAY=0} writes a commit on the committing thread, and a thread interrupted there makes H2 close the
 * whole database (what {@code SyncCrashTest} shows of an interrupted sync run). The renewal is written by the group
 * commit's writer, on the heartbeat's behalf; it is held just before its statement until the route is being stopped,
 * and the stop must wait for it, interrupt no thread that writes, and leave the store taking writes.
 */
class StopWithoutInterruptTest {

    private static final CountDownLatch HEARTBEAT_HELD = new CountDownLatch(1);
    private static final CountDownLatch HEARTBEAT_FREED = new CountDownLatch(1);
    private static final AtomicBoolean ARMED = new AtomicBoolean();
    private static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    @TempDir
    Path directory;

    private DataSource dataSource;
    private DefaultCamelContext camel;

    @AfterEach
    void stop() {
        HEARTBEAT_FREED.countDown();
        if (camel != null) {
            camel.stop();
        }
        TestDatabases.close(dataSource);
    }

    @Test
    void stoppingARouteWhileItsHeartbeatWritesLeavesTheStoreOpen() throws Exception {
        dataSource = TestDatabases.h2(directory);
        Store store = Store.open(new HoldHeartbeat(dataSource), Clock.systemUTC());
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        camel = new DefaultCamelContext();
        ActionDispatcher nothing = call -> {
            throw new AssertionError("the route has no action step");
        };
        // A lease of 1.5 s: the heartbeat renews the running execution's claim every 0.5 s.
        camel.addComponent(SwitchboardComponent.SCHEME, new SwitchboardComponent(store, nothing,
                InstanceId.newStart("stop-test"), Duration.ofMillis(1500)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("switchboard:events").routeId("slow").process(exchange -> {
                    running.countDown();
                    finish.await();
                });
            }
        });
        camel.start();
        StoredEvent event = store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "s-1", "churn", "1",
                "champion"))).get(0);
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        ARMED.set(true);
        assertThat(HEARTBEAT_HELD.await(30, TimeUnit.SECONDS)).as("the heartbeat renewed")
                .isTrue();
        Thread stopping = new Thread(() -> {
            try {
                camel.getRouteController().stopRoute("slow");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stopping");
        stopping.start();
        finish.countDown();
        // The stop waits for the run and the heartbeat, both behind the held renewal (or interrupted a writer).
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(500)).until(() -> INTERRUPTED.get()
                || stopping.getState() == Thread.State.TIMED_WAITING || stopping.getState() == Thread.State.WAITING);
        HEARTBEAT_FREED.countDown();
        stopping.join(30_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> store.executions().find("slow", event.seq())
                .orElseThrow().status() == RouteExecutions.Status.DONE);

        assertThat(store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "s-2", "churn", "2",
                "champion")))).as("the store takes writes after the stop").hasSize(1);
        assertThat(INTERRUPTED).as("the heartbeat was interrupted").isFalse();
    }

    /**
     * Holds the renewal, once armed, with a connection in hand but before its statement (so that it holds
     * no row lock meanwhile), until freed; notes an interrupt and passes it on, as a thread interrupted in a blocking
     * call would: the statement then runs, and commits, on an interrupted thread.
     */
    private static final class HoldHeartbeat extends DelegatingDataSource {

        HoldHeartbeat(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = super.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, arguments) -> {
                        if (method.getName().equals("prepareStatement") && ARMED.get()
                                && String.valueOf(arguments[0]).startsWith("UPDATE route_execution SET lease_until")) {
                            hold();
                        }
                        try {
                            return method.invoke(connection, arguments);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private static void hold() {
            HEARTBEAT_HELD.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    HEARTBEAT_FREED.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    INTERRUPTED.set(true);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
