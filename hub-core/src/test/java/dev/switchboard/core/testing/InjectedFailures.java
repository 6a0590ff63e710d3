package dev.switchboard.core.testing;

import dev.switchboard.core.store.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.api.Trigger;

/**
 * Failures raised by the database itself, so that it reacts as to its own errors (H2 rolls back the whole transaction
 * on a deadlock, PostgreSQL refuses the rest of any transaction that had an error): the next inserts into a table
 * fail with a chosen SQLSTATE, through a trigger. One table at a time per test JVM on H2.
 */
public final class InjectedFailures {

    /** SQLSTATE of a deadlock on H2 (also its error code) and of a serialization failure on PostgreSQL. */
    public static final String DEADLOCK = "40001";

    private static final AtomicInteger LEFT = new AtomicInteger();
    private static volatile SQLException failure;
    private static volatile int injected;

    private InjectedFailures() {
    }

    /** The next {@code times} inserts into {@code table} fail with {@code sqlState} (digits) and {@code message}. */
    public static void failNextInserts(Store store, String table, int times, String sqlState, String message) {
        injected = times;
        switch (store.dialect()) {
            case H2 -> {
                failure = new SQLException(message, sqlState, Integer.parseInt(sqlState));
                LEFT.set(times);
                store.jdbc().execute("CREATE TRIGGER IF NOT EXISTS injected_failure BEFORE INSERT ON " + table
                        + " FOR EACH ROW CALL '" + H2Failure.class.getName() + "'");
            }
            case POSTGRESQL -> {
                // A sequence counts the failures: unlike a row, it is not rolled back with the failed transaction.
                store.jdbc().execute("DROP SEQUENCE IF EXISTS injected_failures");
                store.jdbc().execute("CREATE SEQUENCE injected_failures MINVALUE 0 START 1 MAXVALUE " + times);
                store.jdbc().execute("CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql "
                        + "AS $$ BEGIN PERFORM nextval('injected_failures'); RAISE EXCEPTION '"
                        + message.replace("'", "''") + "' USING ERRCODE = '" + sqlState + "'; "
                        + "EXCEPTION WHEN sequence_generator_limit_exceeded THEN RETURN NEW; END $$");
                store.jdbc().execute("DROP TRIGGER IF EXISTS injected_failure ON " + table);
                store.jdbc().execute("CREATE TRIGGER injected_failure BEFORE INSERT ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION injected_failure()");
            }
        }
    }

    /** Whether the database has raised every failure the last {@link #failNextInserts} asked for. */
    public static boolean allRaised(Store store) {
        return switch (store.dialect()) {
            case H2 -> LEFT.get() == 0;
            case POSTGRESQL -> Boolean.TRUE.equals(store.jdbc().queryForObject(
                    "SELECT is_called AND last_value = ? FROM injected_failures", Boolean.class, injected));
        };
    }

    /** Fails an insert while failures are left on H2 (PostgreSQL's trigger counts on its own). */
    public static final class H2Failure implements Trigger {
        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
            if (LEFT.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw failure;
            }
        }
    }
}
