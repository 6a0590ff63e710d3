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
import java.util.stream.Stream;

/**
 * The stores of B1's durable systems: H2 files in each system's own folder, or a fresh database per system on one
 * embedded PostgreSQL server that this harness runs (started only when a store needs it).
 */
final class Databases implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    Databases(boolean withPostgres, Path work) throws IOException {
        this.dataDirectory = work.resolve("b1-postgres");
        this.postgres = withPostgres ? EmbeddedPostgres.builder()
                .setDataDirectory(Files.createDirectories(dataDirectory)).setCleanDataDirectory(true)
                .start() : null;
    }

    /**
     * The CPU time the database server of {@code store} has used so far, in milliseconds: for PostgreSQL its
     * postmaster's and every child process's (backends, WAL writer, checkpointer), those that ended included; NaN
     * for H2 (in the system's own process) or without Linux's /proc.
     */
    double serverCpuMillis(WebhookScenario.Store store) {
        if (store != WebhookScenario.Store.POSTGRESQL || postgres == null) {
            return Double.NaN;
        }
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            String postmaster = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).strip();
            long postmasterPid = Long.parseLong(postmaster);
            long[] ticks = stat(postmaster);
            // utime + stime of the postmaster, and cutime + cstime: its children that ended and were waited for.
            double total = ticks[1] + ticks[2] + ticks[3] + ticks[4];
            for (Path process : (Iterable<Path>) processes::iterator) {
                long[] child = stat(process.getFileName().toString());
                if (child != null && child[0] == postmasterPid) {
                    total += child[1] + child[2];
                }
            }
            return total * 10.0; // the usual 100 clock ticks a second
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** A process's parent, utime, stime, cutime and cstime (clock ticks), or null when it is not a process. */
    private static long[] stat(String pid) {
        if (!pid.chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] fields = ChildJvm.statFields(stat);
            return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
                    Long.parseLong(fields[13]), Long.parseLong(fields[14])};
        } catch (IOException | RuntimeException gone) {
            return null;
        }
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
