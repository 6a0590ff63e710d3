package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every scenario at a tiny size, once, so the harness cannot rot: counts must match and every number must be
 * sane (positive ratios), but no timing threshold is asserted — this machine's load is not the benchmark's subject.
 */
class BenchmarkSmokeTest {

    @TempDir
    Path work;

    @Test
    void everyScenarioRunsAtATinySizeAndTheReportShowsIt() throws Exception {
        BenchmarkRunner.Options options = BenchmarkRunner.parse("--scenarios", "B1,B2,B3,B4", "--repetitions", "1",
                "--size", "small", "--report", work.resolve("REPORT.md").toString());

        Files.writeString(options.report(), "old numbers\n\n## Analysis\n\nwritten by hand\n");
        List<ScenarioResult> results = BenchmarkRunner.run(options, work);
        BenchmarkRunner.write(options, results);

        assertThat(results).extracting(r -> r.id).containsExactly("B1", "B2", "B3", "B4");
        for (ScenarioResult result : results) {
            assertThat(result.notMeasured).as(result.id).isNull();
        }

        ScenarioResult b1 = results.get(0);
        // Both paths must deliver every webhook: the hub once skipped an event whose inbox insert committed after a
        // later one (found by this benchmark; fixed in the events consumer), so the hub's count is asserted too.
        assertThat(b1.notes).as("the forwarders and the hub delivered every webhook and no send failed")
                .noneMatch(n -> n.startsWith("rep "));
        assertPositive(b1.metric("H2: max delivered/s, hub vs durable forwarder"));
        assertPositive(b1.metric("H2: max delivered/s, hub vs bare forwarder"));
        assertPositive(b1.metric("max accepted/s at the sender, hub (H2) vs bare forwarder"));

        ScenarioResult b2 = results.get(1);
        assertPositive(b2.metric("first sync: API calls (source + target)"));
        assertThat(b2.metric("no-change re-sync (incremental): target writes").switchboard).containsOnly(0.0);
        assertPositive(b2.metric("no-change re-sync (full scope): source list calls"));
        assertThat(b2.metric("no-change re-sync (full scope): source list calls").baseline).containsOnly(3.0);

        ScenarioResult b3 = results.get(2);
        assertPositive(b3.metric("copy throughput"));
        assertThat(b3.metric("heap growth (live, after GC) during the copy").switchboard).allMatch(v -> v >= 0);

        ScenarioResult b4 = results.get(3);
        assertPositive(b4.metric("time to ready (health UP)"));
        assertPositive(b4.metric("RSS at ready"));
        assertPositive(b4.metric("sandbox off: time to ready (health UP)"));
        assertPositive(b4.metric("sandbox off: RSS at ready"));
        assertThat(b4.metric("RSS at ready incl. child processes (S3Proxy)").switchboard).as("the hub and S3Proxy")
                .zipSatisfy(b4.metric("RSS at ready").switchboard, (tree, hub) -> assertThat(tree).isGreaterThan(hub));

        String report = Files.readString(options.report());
        assertThat(report).contains("## Machine", "B1 webhook → delivery", "B2 sync",
                "B3 artifact copy", "B4 start-up", "BenchmarkRunner --scenarios B1,B2,B3,B4")
                .doesNotContain("old numbers").endsWith("\n## Analysis\n\nwritten by hand\n");
    }

    private static void assertPositive(Metric metric) {
        assertThat(metric.baseline).as(metric.name + " baseline").isNotEmpty().allMatch(v -> v > 0);
        assertThat(metric.switchboard).as(metric.name + " Switchboard").isNotEmpty().allMatch(v -> v > 0);
        assertThat(metric.ratios).as(metric.name + " ratio").allMatch(v -> v > 0);
    }
}
