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
}
