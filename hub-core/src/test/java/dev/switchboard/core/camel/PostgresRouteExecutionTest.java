package dev.switchboard.core.camel;

import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresRouteExecutionTest extends RouteExecutionContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }

    @Override
    protected DataSource sameDatabase(DataSource first) {
        return TestDatabases.sameDatabase((HikariDataSource) first);
    }
}
