package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that asks a running hub something and prints the answer; an API failure is one line on stderr and exit
 * code 1. With {@code --watch} (for commands that allow it) the answer is printed again every {@code --interval}
 * until the command is stopped (Ctrl-C).
 */
abstract class HubCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HubClientOptions hub;

    /** Asks the hub and prints the answer; the exit code. */
    abstract int run(PrintWriter out) throws ApiException;

    @Override
    public Integer call() {
        try {
            return run(spec.commandLine().getOut());
        } catch (ApiException e) {
            spec.commandLine().getErr().println("error: " + Output.describe(e));
            return 1;
        }
    }

    /** {@code --watch} for list commands: the listing again and again, each under a line with the time. */
    static final class Watch {

        @Option(names = {"-w", "--watch"}, description = "Print the list again every --interval, until stopped (Ctrl-C).")
        boolean watch;

        @Option(names = "--interval", defaultValue = "2s",
                description = "How often --watch prints (a duration such as 500ms or 5s; default: ${DEFAULT-VALUE}).",
                converter = DurationConverter.class)
        Duration interval;

        /** How many times --watch prints before it stops; for tests and scripts, unlimited unless set. */
        @Option(names = "--watch-count", hidden = true, defaultValue = "0")
        int count;

        /** Runs {@code print} once, or repeatedly under --watch; stops at the first failure. */
        int repeat(PrintWriter out, ThrowingPrint print) throws ApiException {
            if (!watch) {
                return print.run();
            }
            for (int i = 0; count <= 0 || i < count; i++) {
                if (i > 0) {
                    try {
                        Thread.sleep(interval.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return 0;
                    }
                }
                out.println("--- " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                int code = print.run();
                out.flush();
                if (code != 0) {
                    return code;
                }
            }
            return 0;
        }
    }

    interface ThrowingPrint {
        int run() throws ApiException;
    }

    /** One page of a list, fetched by its page token (null for the first). */
    interface PageFetch<P> {
        P fetch(String token) throws ApiException;
    }

    /** Every item of a paged list, page after page. */
    static <T, P> List<T> everyPage(PageFetch<P> fetch, Function<P, List<T>> items, Function<P, String> next)
            throws ApiException {
        List<T> all = new ArrayList<>();
        String token = null;
        do {
            P page = fetch.fetch(token);
            all.addAll(items.apply(page));
            token = next.apply(page);
        } while (token != null);
        return all;
    }

    /** Durations as the configuration file writes them (500ms, 2s, 1m). */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return org.springframework.boot.convert.DurationStyle.detectAndParse(value);
        }
    }
}
