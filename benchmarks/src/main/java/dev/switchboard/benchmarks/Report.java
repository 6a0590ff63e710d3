package dev.switchboard.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders the results as Markdown, with the machine they ran on and the command that produced them. */
final class Report {

    private Report() {
    }

    static String markdown(BenchmarkRunner.Options options, List<ScenarioResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("# Switchboard benchmarks\n\n");
        md.append("Produced by `BenchmarkRunner` (module `benchmarks`). Re-run from the repository root:\n\n");
        md.append("```\n./mvnw -B -q -DskipTests install\n")
                .append("java -Xmx512m -cp \"$(cat benchmarks/target/classpath.txt):benchmarks/target/classes\" ")
                .append("dev.switchboard.benchmarks.BenchmarkRunner ").append(options.command()).append("\n```\n\n");
        md.append("Every ratio is Switchboard ÷ baseline, measured alternately in the same run; the table shows "
                + "the medians over ").append(options.repetitions()).append(" repetition(s) and the spread "
                + "(min–max) of the per-repetition ratio. Size: `").append(options.size()).append("`.\n\n");
        md.append("## Machine\n\n");
        md.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        md.append("- `uname -a`: ").append(shell("uname -a")).append('\n');
        md.append("- cores (`nproc`): ").append(shell("nproc")).append('\n');
        md.append("- load average when the report was written (`/proc/loadavg`, 1/5/15 min): ")
                .append(shell("cut -d' ' -f1-3 /proc/loadavg")).append('\n');
        md.append("- memory (`free -m`, total MiB): ").append(shell("free -m | awk '/Mem:/ {print $2}'")).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- child JVM flags (hub and baselines alike): `").append(String.join(" ", ChildJvm.FLAGS))
                .append("`\n");
        md.append("- harness JVM: `").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .append("`\n\n");
        md.append("## Summary\n\n| scenario | metric | baseline (median) | Switchboard (median) | ratio (median) | "
                + "ratio spread | target | met |\n|---|---|---|---|---|---|---|---|\n");
        for (ScenarioResult r : results) {
            if (r.notMeasured != null) {
                md.append("| ").append(r.id).append(' ').append(r.title).append(" | — | — | — | — | — | — | "
                        + "not measured |\n");
                continue;
            }
            for (Metric m : r.metrics) {
                Boolean met = m.met();
                md.append("| ").append(r.id).append(' ').append(r.title).append(" | ").append(m.name).append(" (")
                        .append(m.unit).append(") | ").append(num(Stats.median(m.baseline))).append(" | ")
                        .append(num(Stats.median(m.switchboard))).append(" | ").append(ratio(m.medianRatio()))
                        .append(" | ").append(ratio(Stats.min(m.ratios))).append("–").append(ratio(Stats.max(m.ratios)))
                        .append(" | ").append(m.target).append(" | ")
                        .append(met == null ? "—" : met ? "yes" : "**no**").append(" |\n");
            }
        }
        for (ScenarioResult r : results) {
            md.append("\n## ").append(r.id).append(' ').append(r.title).append("\n\n");
            md.append("- baseline: ").append(r.baselineDescription).append('\n');
            md.append("- Switchboard: ").append(r.switchboardDescription).append('\n');
            if (r.notMeasured != null) {
                md.append("\n**Not measured:** ").append(r.notMeasured).append('\n');
            }
            for (Metric m : r.metrics) {
                md.append("- ").append(m.name).append(" (").append(m.unit).append("), per repetition: baseline ")
                        .append(list(m.baseline)).append("; Switchboard ").append(list(m.switchboard))
                        .append("; ratio ").append(list(m.ratios)).append('\n');
            }
            if (!r.notes.isEmpty()) {
                md.append('\n');
                r.notes.forEach(n -> md.append("- ").append(n).append('\n'));
            }
        }
        return md.toString();
    }

    private static String list(List<Double> values) {
        return values.stream().map(Report::num).collect(Collectors.joining(", ", "[", "]"));
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f×", v);
    }

    static String shell(String command) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String out = in.lines().collect(Collectors.joining(" ")).trim();
                p.waitFor();
                return out;
            }
        } catch (Exception e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }
}
