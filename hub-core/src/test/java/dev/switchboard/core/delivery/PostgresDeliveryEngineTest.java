package dev.switchboard.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.testing.ScriptedActionConnector;
import dev.switchboard.core.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The contract on PostgreSQL, plus two hub instances sharing the database. */
class PostgresDeliveryEngineTest extends DeliveryEngineContractTest {

    private HikariDataSource dataSource;

    @Override
    protected DataSource createDataSource() {
        dataSource = TestDatabases.postgres();
        return dataSource;
    }

    @Test
    void twoInstancesOnOneDatabaseNeverPerformTheSameDeliveryTwice() {
        ScriptedActionConnector.Script alpha = ScriptedActionConnector.script("alpha").pause(Duration.ofMillis(1));
        try (DeliveryFixture second = new DeliveryFixture(TestDatabases.sameDatabase(dataSource))) {
            hub.startEngine(DeliveryFixture.FAST);
            second.startEngine(DeliveryFixture.FAST);
            List<Delivery> deliveries = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // Half enqueued through each instance, over eight subjects.
                DeliveryFixture via = i % 2 == 0 ? hub : second;
                deliveries.add(via.enqueue("alpha", "e-" + i, "model-" + (i % 8)));
            }

            deliveries.forEach(delivery -> awaitStatus(delivery, Delivery.Status.DELIVERED));
            assertThat(deliveries).allSatisfy(delivery ->
                    assertThat(alpha.callsWithKey(delivery.idempotencyKey())).isEqualTo(1));
            assertThat(alpha.subjectOverlaps()).isZero();
        }
    }
}
