package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.store.InstanceId;
import dev.switchboard.core.store.RouteExecutions;
import dev.switchboard.core.store.RouteExecutions.Execution;
import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.TestDatabases;
import dev.switchboard.core.testing.TestEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code switchboard.inbox.backlog} counts what is left to route: executions without an outcome. It once read the
 * per-route cursors, which subscribing a route deletes, so it said 0 whatever was pending; the crash-safety test,
 * which waits for it to be 0, could not see an execution that was never claimed.
 */
class InboxBacklogGaugeTest {

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void countsTheExecutionsThatHaveNoOutcomeYet(String engine) {
        DataSource dataSource = engine.equals("h2") ? TestDatabases.h2(directory) : TestDatabases.postgres();
        try {
            Store store = Store.open(dataSource, Clock.systemUTC());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            new DeliveryMetrics(meters).bindDepthGauges(store, new Outbox(store, Clock.systemUTC()));
            store.executions().subscribe("promote", List.of(), List.of(), false);
            store.inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "d-1", "churn", "3", "champion"),
                    TestEvents.aliasSet("mlflow-prod", "d-2", "fraud", "1", "champion")));
            assertThat(backlog(meters)).as("two pending").isEqualTo(2.0);

            InstanceId instance = InstanceId.newStart(null);
            List<Execution> claimed = store.executions().claim("promote", instance, Duration.ofSeconds(30), 10);
            assertThat(claimed).hasSize(2);
            assertThat(backlog(meters)).as("running has no outcome yet").isEqualTo(2.0);

            store.executions().finish(claimed.get(0), RouteExecutions.Status.WAITING, 1, 7L, null);
            store.executions().finish(claimed.get(1), RouteExecutions.Status.DONE, null, null, null);
            assertThat(backlog(meters)).as("one waits on its step's delivery").isEqualTo(1.0);

            store.executions().resume("promote", claimed.get(0).eventSeq(), 7L);
            Execution resumed = store.executions().claim("promote", instance, Duration.ofSeconds(30), 10).get(0);
            store.executions().finish(resumed, RouteExecutions.Status.DONE, null, null, null);
            assertThat(backlog(meters)).isZero();
        } finally {
            TestDatabases.close(dataSource);
        }
    }

    private static double backlog(SimpleMeterRegistry meters) {
        return meters.find("switchboard.inbox.backlog").gauge().value();
    }
}
