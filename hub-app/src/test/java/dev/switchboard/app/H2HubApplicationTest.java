package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

class H2HubApplicationTest extends HubApplicationTest {

    @Override
    protected String jdbcUrl() {
        return null;
    }

    @Override
    @org.junit.jupiter.api.Test
    void healthIsUp() throws Exception {
        super.healthIsUp();
        // The embedded default keeps its data in the data directory, as a file.
        assertThat(Files.exists(directory.resolve("data").resolve("switchboard.mv.db"))).isTrue();
    }

    /** H2 keeps commits in memory for 500 ms by default: a SIGKILL then loses webhooks already answered 2xx. */
    @org.junit.jupiter.api.Test
    void theEmbeddedDatabaseWritesEveryCommitThroughSoAKilledHubLosesNoAcknowledgedWebhook() {
        var jdbc = hub.getBean(dev.switchboard.core.store.Store.class).jdbc();

        assertThat(jdbc.queryForList("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'WRITE_DELAY'", String.class)).isNotEmpty().containsOnly("0");
    }

    /** hub-core's tests open H2 with the options the hub ships, so they see its commits and deadlocks. */
    @org.junit.jupiter.api.Test
    void testsOpenTheEmbeddedDatabaseWithTheShippedOptions() {
        assertThat(hub.getEnvironment().getProperty("spring.datasource.url"))
                .endsWith(dev.switchboard.core.testing.TestDatabases.H2_OPTIONS);
    }
}
