package dev.switchboard.core.delivery;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresDeliveryLeaseTest extends DeliveryLeaseContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }
}
