package dev.switchboard.core.sync;

import dev.switchboard.core.testing.TestDatabases;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

class H2SyncLeaseTest extends SyncLeaseContractTest {

    @TempDir
    Path directory;

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.h2(directory);
    }
}
