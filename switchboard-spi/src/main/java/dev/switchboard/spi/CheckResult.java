package dev.switchboard.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outcome of a live {@link Connection#check}.
 *
 * @param ok      whether the tool answered as expected
 * @param message what was checked or what failed, fit to show a user (never a secret)
 * @param took    how long the probe took
 */
public record CheckResult(boolean ok, String message, Duration took) {

    public static CheckResult ok(String message, Duration took) {
        return new CheckResult(true, message, took);
    }

    public static CheckResult failed(String message, Duration took) {
        return new CheckResult(false, message, took);
    }

    /**
     * Runs a read-only {@code probe} under {@code timeout}, the usual body of {@link Connection#check}: {@code ok}
     * with {@code okMessage} when it returns, failed with the {@link ConnectorException}'s message when it throws
     * one, failed naming the timeout when it takes too long (the probe is then cancelled).
     *
     * @param connection the connection's name, for messages
     * @param tool       what is being probed, for messages ({@code MLflow at https://…}); never a secret
     */
    public static CheckResult probe(String connection, String tool, Duration timeout, Runnable probe, String okMessage) {
        long start = System.nanoTime();
        CompletableFuture<?> running = CompletableFuture.runAsync(probe);
        try {
            running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return ok(okMessage, since(start));
        } catch (TimeoutException e) {
            running.cancel(true);
            return failed(tool + " did not answer within " + timeout, since(start));
        } catch (ExecutionException e) {
            return failed(e.getCause() instanceof ConnectorException failure ? failure.getMessage()
                    : "unexpected failure of the check of " + connection, since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("check of " + connection + " was interrupted", since(start));
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
