package dev.switchboard.core.camel;

import dev.switchboard.core.testing.TestDatabases;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

class H2RouteExecutionTest extends RouteExecutionContractTest {

    @TempDir
    Path directory;

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.h2(directory);
    }

    @Override
    protected DataSource sameDatabase(DataSource first) {
        return TestDatabases.h2(directory);
    }
}
