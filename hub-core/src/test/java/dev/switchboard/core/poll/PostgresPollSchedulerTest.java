package dev.switchboard.core.poll;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresPollSchedulerTest extends PollSchedulerContractTest {

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.postgres();
    }
}
