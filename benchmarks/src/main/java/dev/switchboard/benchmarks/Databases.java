package dev.switchboard.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The stores of B1's durable systems: H2 files in each system's own folder, or a fresh database per system on one
 * embedded PostgreSQL server that this harness runs (started only when a store needs it).
 */
final class Databases implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    Databases(boolean withPostgres, Path work) throws IOException {
        this.postgres = withPostgres ? EmbeddedPostgres.builder()
                .setDataDirectory(Files.createDirectories(work.resolve("b1-postgres"))).setCleanDataDirectory(true)
                .start() : null;
    }

    /** The hub's command-line options for {@code store}: none for H2 (its data dir), a new database otherwise. */
    List<String> hubArgs(WebhookScenario.Store store, String name) {
        return switch (store) {
            case H2 -> List.of();
            case POSTGRESQL -> List.of("--spring.datasource.url=" + createDatabase(name),
                    "--spring.datasource.username=postgres");
        };
    }

    /** The durable forwarder's JDBC URL and user for {@code store}; H2 with the hub's own URL options. */
    List<String> forwarderArgs(WebhookScenario.Store store, String name, Path dir) {
        return switch (store) {
            case H2 -> List.of("jdbc:h2:file:" + dir.resolve("data/forwarder") + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=64",
                    "sa");
            case POSTGRESQL -> List.of(createDatabase(name), "postgres");
        };
    }

    private String createDatabase(String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name.replace('-', '_'));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name.replace('-', '_');
    }

    @Override
    public void close() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
