package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresSyncLeaseTest extends SyncLeaseContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }
}
