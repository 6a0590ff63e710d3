package dev.switchboard.app;

import dev.switchboard.core.testing.TestDatabases;

class PostgresHubApplicationTest extends HubApplicationTest {

    @Override
    protected String jdbcUrl() {
        return TestDatabases.newPostgresUrl();
    }
}
