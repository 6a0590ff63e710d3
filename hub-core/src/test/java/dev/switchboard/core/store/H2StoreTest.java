package dev.switchboard.core.store;

import dev.switchboard.core.testing.TestDatabases;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

class H2StoreTest extends StoreContractTest {

    @TempDir
    Path directory;

    @Override
    protected DataSource createDataSource() {
        return TestDatabases.h2(directory);
    }

    @Override
    protected Store.Dialect expectedDialect() {
        return Store.Dialect.H2;
    }
}
