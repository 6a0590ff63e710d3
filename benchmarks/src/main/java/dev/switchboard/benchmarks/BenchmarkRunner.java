package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs the benchmark scenarios and writes a Markdown report.
 *
 * <pre>
 * java -Xmx512m -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" dev.switchboard.benchmarks.BenchmarkRunner \
 *     [--scenarios B1,B2,B3,B4,B5] [--repetitions N] [--size small|full] [--report benchmarks/REPORT.md]
 * </pre>
 *
 * Each scenario runs its baseline and Switchboard alternately within the same run and reports per metric the
 * medians, the ratio (Switchboard ÷ baseline) and its spread (min–max over repetitions).
 */
public final class BenchmarkRunner {

    /** The parsed command line. */
    record Options(Set<String> scenarios, int repetitions, String size, Path report, String command) {
        boolean full() {
            return size.equals("full");
        }
    }

    /** The heading that starts the report's hand-written analysis. */
    static final String ANALYSIS = "## Analysis";

    private BenchmarkRunner() {
    }

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        Path work = Files.createTempDirectory("switchboard-bench");
        try {
            write(options, run(options, work));
        } finally {
            // Its databases, logs and artifacts: a few GB per full run, which filled this machine's disk once.
            if (!Boolean.getBoolean("bench.keepWork")) {
                deleteRecursively(work);
            }
        }
        System.out.println("report written to " + options.report().toAbsolutePath());
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete the work folder " + root + ": " + e);
        }
    }

    /**
     * Writes the report. Its hand-written part, from {@value #ANALYSIS} on, is kept from the file it replaces: only
     * the numbers above it are the harness's.
     */
    static void write(Options options, List<ScenarioResult> results) throws IOException {
        String handWritten = "";
        if (Files.exists(options.report())) {
            String existing = Files.readString(options.report());
            int at = existing.indexOf("\n" + ANALYSIS);
            handWritten = at < 0 ? "" : existing.substring(at);
        }
        Files.writeString(options.report(), Report.markdown(options, results) + handWritten);
    }

    static Options parse(String... args) {
        Set<String> scenarios = new LinkedHashSet<>(List.of("B1", "B2", "B3", "B4", "B5"));
        int repetitions = 3;
        String size = "full";
        Path report = Path.of("benchmarks/REPORT.md");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--scenarios" -> {
                    scenarios = new LinkedHashSet<>();
                    for (String s : value.split(",")) {
                        scenarios.add(s.trim().toUpperCase(Locale.ROOT));
                    }
                    i++;
                }
                case "--repetitions" -> {
                    repetitions = Integer.parseInt(value);
                    i++;
                }
                case "--size" -> {
                    size = value;
                    i++;
                }
                case "--report" -> {
                    report = Path.of(value);
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --scenarios "
                        + "B1,B2,B3,B4,B5 --repetitions N --size small|full --report FILE");
            }
        }
        if (!size.equals("small") && !size.equals("full")) {
            throw new IllegalArgumentException("--size must be small or full, was " + size);
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("--repetitions must be at least 1");
        }
        return new Options(scenarios, repetitions, size, report, String.join(" ", args));
    }

    static List<ScenarioResult> run(Options options, Path work) throws Exception {
        Layout layout = Layout.find();
        List<ScenarioResult> results = new ArrayList<>();
        for (String scenario : options.scenarios()) {
            long start = System.nanoTime();
            System.out.println("== " + scenario + " (" + options.size() + ", " + options.repetitions()
                    + " repetitions)");
            ScenarioResult result = switch (scenario) {
                case "B1" -> new WebhookScenario(layout, options.full() ? WebhookScenario.Size.FULL
                        : WebhookScenario.Size.SMALL, work).run(options.repetitions());
                case "B2" -> SyncScenario.run(options.full() ? 10_000 : 200, options.full() ? 100 : 4,
                        options.repetitions(), work);
                case "B3" -> ArtifactCopyScenario.run(layout, options.full() ? 1L << 30 : 1L << 20,
                        options.repetitions(), work);
                case "B4" -> StartupScenario.run(layout, options.repetitions(), work);
                case "B5" -> new WebhookScenario(layout, options.full() ? WebhookScenario.Size.FULL
                        : WebhookScenario.Size.SMALL, work).backlog(options.repetitions(),
                        Integer.getInteger("bench.b5.backlog", options.full() ? 10_000 : 100));
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            };
            result.note(String.format(Locale.ROOT, "Scenario wall time: %.0f s.", (System.nanoTime() - start) / 1e9));
            results.add(result);
        }
        return results;
    }
}
