package dev.switchboard.core.store;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresWorkLeaseTest extends WorkLeaseContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }
}
