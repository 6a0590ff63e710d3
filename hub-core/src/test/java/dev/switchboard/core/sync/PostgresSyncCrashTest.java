package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class PostgresSyncCrashTest extends SyncCrashContract {

    @Override
    protected DataSource dataSource() {
        return TestDatabases.postgres();
    }
}
