package dev.switchboard.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
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

    @Test
    void testsRunH2AsTheShippedHubDoesWritingEveryCommitThrough() {
        DataSource dataSource = TestDatabases.h2(directory.resolve("options"));
        try {
            assertThat(Store.open(dataSource, Clock.systemUTC()).jdbc().queryForList("SELECT SETTING_VALUE FROM "
                    + "INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'", String.class))
                    .isNotEmpty().containsOnly("0");
        } finally {
            TestDatabases.close(dataSource);
        }
    }

    @Test
    void theBusyIdentityColumnsRefillTheirCacheRarely() {
        DataSource dataSource = TestDatabases.h2(directory.resolve("identity"));
        try {
            Store store = Store.open(dataSource, Clock.systemUTC());
            assertThat(store.jdbc().queryForList("SELECT TABLE_NAME || '.' || COLUMN_NAME || '=' || IDENTITY_CACHE "
                    + "FROM INFORMATION_SCHEMA.COLUMNS WHERE IS_IDENTITY = 'YES' AND TABLE_NAME IN "
                    + "('INBOX_EVENT', 'OUTBOX_DELIVERY') ORDER BY TABLE_NAME", String.class))
                    .containsExactly("INBOX_EVENT.SEQ=1024", "OUTBOX_DELIVERY.ID=1024");
        } finally {
            TestDatabases.close(dataSource);
        }
    }
}
