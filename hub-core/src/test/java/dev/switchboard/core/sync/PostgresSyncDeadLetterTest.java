package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresSyncDeadLetterTest extends SyncDeadLetterContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }
}
