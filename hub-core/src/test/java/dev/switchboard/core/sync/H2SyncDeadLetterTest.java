package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class H2SyncDeadLetterTest extends SyncDeadLetterContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.h2(directory);
    }
}
