package dev.switchboard.core.store;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresStoreTest extends StoreContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }

    @Override
    protected Store.Dialect expectedDialect() {
        return Store.Dialect.POSTGRESQL;
    }
}
