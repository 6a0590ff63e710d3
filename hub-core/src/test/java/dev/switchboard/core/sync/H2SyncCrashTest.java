package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import javax.sql.DataSource;

class H2SyncCrashTest extends SyncCrashContract {

    @Override
    protected DataSource dataSource() {
        return TestDatabases.h2(directory);
    }
}
