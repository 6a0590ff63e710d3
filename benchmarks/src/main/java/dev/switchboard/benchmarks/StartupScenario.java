package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * B4 start-up: time from process start to the first {@code /actuator/health} UP, and RSS at that moment, of the hub
 * with the quickstart configuration ({@code ./switchboard.yaml} at the repository root) against a bare Spring Boot +
 * Camel application with one route. Both start from exploded class paths with the same JVM flags, alternately.
 *
 * <p>The quickstart turns on the sandbox (the MLflow, SageMaker and GitHub fakes in the hub's JVM, S3Proxy as a child
 * JVM), so each repetition also starts the hub with the same configuration and the sandbox off: that row is the
 * hub's own cost, the difference is the demo tools'. RSS is the hub's JVM; the sandbox's S3Proxy child JVM is
 * reported separately, as the RSS of the hub's process tree.
 */
final class StartupScenario {

    static final String MAIN = "dev.switchboard.app.cli.SwitchboardCli";
    static final String BASELINE_MAIN = "dev.switchboard.benchmarks.baseline.BaselineApplication";

    private StartupScenario() {
    }

    static ScenarioResult run(Layout layout, int repetitions, Path work) {
        ScenarioResult result = new ScenarioResult("B4", "start-up",
                "bare Spring Boot (web MVC + actuator) + Camel app with one timer route",
                "hub-app with the quickstart config (`switchboard.yaml`, one route), embedded H2 in a fresh data dir");
        Metric ready = result.metric(new Metric("time to ready (health UP)", "ms", Metric.Goal.AT_MOST, 1.5,
                "≤ 1.5× (aim 1.3×)"));
        Metric rss = result.metric(new Metric("RSS at ready", "MiB", Metric.Goal.AT_MOST, 1.3, "≤ 1.3×"));
        Metric treeRss = result.metric(Metric.reported("RSS at ready incl. child processes (S3Proxy)", "MiB"));
        Metric readyOff = result.metric(Metric.reported("sandbox off: time to ready (health UP)", "ms"));
        Metric rssOff = result.metric(Metric.reported("sandbox off: RSS at ready", "MiB"));
        for (int rep = 0; rep < repetitions; rep++) {
            double[] baseline = startBaseline(layout, work.resolve("b4-baseline-" + rep));
            double[] hub = startHub(layout, work.resolve("b4-hub-" + rep), true);
            double[] hubOff = startHub(layout, work.resolve("b4-hub-nosandbox-" + rep), false);
            ready.add(baseline[0], hub[0]);
            rss.add(baseline[1], hub[1]);
            treeRss.add(baseline[2], hub[2]);
            readyOff.add(baseline[0], hubOff[0]);
            rssOff.add(baseline[1], hubOff[1]);
            System.out.printf("B4 rep %d: baseline %.0f ms %.0f MiB, hub %.0f ms %.0f MiB (with S3Proxy %.0f MiB),"
                    + " hub without sandbox %.0f ms %.0f MiB%n", rep + 1, baseline[0], baseline[1], hub[0], hub[1],
                    hub[2], hubOff[0], hubOff[1]);
        }
        result.note("Sandbox off: the same `switchboard.yaml` started with `--switchboard.sandbox.enabled=false` (as "
                + "`SWITCHBOARD_SANDBOX=false` does); its connections then point at nothing, which start-up does not "
                + "notice (opening a connection makes no call).");
        return result;
    }

    static double[] startBaseline(Layout layout, Path dir) {
        mkdirs(dir);
        int port = ChildJvm.freePort();
        try (ChildJvm child = ChildJvm.start(layout.baselineAppClasspath(), BASELINE_MAIN,
                List.of("--server.port=" + port), dir, dir.resolve("baseline.log"), port, ChildJvm.extraFlags())) {
            return measure(child);
        }
    }

    static double[] startHub(Layout layout, Path dir, boolean sandbox) {
        mkdirs(dir);
        int port = ChildJvm.freePort();
        // The quickstart: ./switchboard.yaml of the repository root, its routes folder relative to it.
        List<String> args = new java.util.ArrayList<>(List.of("--server.port=" + port,
                "--switchboard.data-dir=" + dir.resolve("data")));
        if (!sandbox) {
            args.add("--switchboard.sandbox.enabled=false");
        }
        try (ChildJvm child = ChildJvm.start(layout.hubClasspath(false), MAIN, args, layout.root,
                dir.resolve("hub.log"), port, ChildJvm.extraFlags())) {
            return measure(child);
        }
    }

    private static double[] measure(ChildJvm child) {
        long nanos = child.awaitReady("/actuator/health", "UP", Duration.ofSeconds(120));
        long rss = child.rssBytes();
        long tree = child.treeRssBytes();
        return new double[] {nanos / 1e6, rss / (1024.0 * 1024.0), tree / (1024.0 * 1024.0)};
    }

    static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
