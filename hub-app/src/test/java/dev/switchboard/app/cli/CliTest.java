package dev.switchboard.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.store.Store;
import dev.switchboard.core.testing.TestEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/** The switchboard launcher's commands, run in-process with captured output. */
public class CliTest {

    @TempDir
    Path directory;

    /** What one command line printed, and its exit code. */
    public record Run(int code, String out, String err) {
    }

    public static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SwitchboardCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void validateListsEveryProblemOfABrokenConfigurationAndExitsNonZero() throws Exception {
        Path config = Files.writeString(directory.resolve("broken.yaml"), """
                switchboard:
                  routes:
                    directory: ./missing-routes
                  connections:
                    typo:
                      type: mlfow
                    bad-url:
                      type: recording
                      options:
                        url: mlflow:5000
                        token: hunter2-secret
                """);

        Run run = cli("validate", "--config", config.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("has 3 problem(s)")
                .contains("connections.typo.type: unknown connector type \"mlfow\"")
                .contains("connections.bad-url.options.url: must be an absolute http(s) URL, was \"mlflow:5000\"")
                .contains("routes.directory: does not exist")
                .doesNotContain("hunter2-secret");
    }

    @Test
    void validateChecksTheRouteFilesOfAValidConfiguration() throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("ok.camel.yaml"), """
                - route:
                    id: ok
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:deploy/record
                """);
        Files.writeString(routes.resolve("wrong.camel.yaml"), """
                - route:
                    id: wrong
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:deploy/launch
                """);
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), """
                switchboard:
                  routes:
                    directory: routes
                  connections:
                    deploy:
                      type: recording
                      options:
                        url: http://127.0.0.1:9
                """);

        Run broken = cli("validate", "-c", config.toString());
        Files.delete(routes.resolve("wrong.camel.yaml"));
        Run fixed = cli("validate", "-c", config.toString());

        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).contains("wrong.camel.yaml:6: route wrong: connection deploy has no action launch");
        assertThat(fixed.code()).isZero();
        assertThat(fixed.out()).contains("is valid: 1 connection(s), 1 route file(s)");
    }

    @Test
    void validateNamesTheFileRouteLineAndParameterOfAMisspelledActionParameter() throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("dispatch.camel.yaml"), """
                - route:
                    id: dispatch-deploy
                    from:
                      uri: switchboard:events
                      steps:
                        - to:
                            uri: switchboard:github-deploy/dispatch-workflow
                            parameters:
                              workfow: deploy.yml
                              input.model: "${variable.model}"
                """);
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), """
                switchboard:
                  routes:
                    directory: routes
                  connections:
                    github-deploy:
                      type: github
                      options:
                        repository: acme/deploy
                        token: ghp_not-a-real-token
                """);

        Run run = cli("validate", "-c", config.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("dispatch.camel.yaml:6: route dispatch-deploy: "
                        + "switchboard:github-deploy/dispatch-workflow")
                .contains("has no parameter \"workfow\"; did you mean \"workflow\"?")
                .contains("needs parameter \"workflow\"")
                .doesNotContain("input.model");
    }

    @Test
    void eventsPrintsATableOrJsonFromARunningHub() throws Exception {
        var hub = new SpringApplicationBuilder(dev.switchboard.app.SwitchboardApplication.class).run(
                "--server.port=0", "--switchboard.data-dir=" + directory.resolve("data"),
                "--switchboard.api.token=cli-token", "--SWITCHBOARD_CONFIG=" + directory.resolve("none.yaml"));
        try {
            hub.getBean(Store.class).inbox().append(List.of(TestEvents.aliasSet("mlflow-prod", "c-1", "churn", "4",
                    "champion")));
            String url = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();

            Run table = cli("events", "--url", url, "--token", "cli-token");
            Run json = cli("events", "--url", url, "--token", "cli-token", "--json", "--type", "model_version.alias_set");
            Run unauthorized = cli("events", "--url", url, "--token", "wrong", "--token-file", "none");

            assertThat(table.code()).isZero();
            assertThat(table.out()).contains("SEQ").contains("model_version.alias_set")
                    .contains("models/churn/versions/4").contains("mlflow-prod");
            assertThat(json.out()).contains("\"subject\" : \"models/churn/versions/4\"");
            assertThat(unauthorized.code()).isEqualTo(1);
            assertThat(unauthorized.err()).contains("HTTP 401").contains("not the hub's admin token");

            String seq = table.out().lines().skip(1).findFirst().orElseThrow().split(" +")[0];
            Run show = cli("events", "show", seq, "--url", url, "--token", "cli-token");
            Run missing = cli("events", "show", "999999", "--url", url, "--token", "cli-token");
            Run watched = cli("events", "--watch", "--watch-count", "2", "--interval", "10ms", "--url", url,
                    "--token", "cli-token");
            Run deliveries = cli("deliveries", "--url", url, "--token", "cli-token");
            Run badStatus = cli("deliveries", "--status", "lost", "--url", url, "--token", "cli-token");
            Run jobs = cli("sync", "list", "--url", url, "--token", "cli-token");
            Run noJob = cli("sync", "runs", "nightly", "--url", url, "--token", "cli-token");

            assertThat(show.code()).isZero();
            assertThat(show.out()).containsPattern("id +c-1").containsPattern("subject +models/churn/versions/4")
                    .containsPattern("injected +false").contains("\"specversion\" : \"1.0\"");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("HTTP 404").contains("no event with seq 999999");
            assertThat(watched.code()).isZero();
            assertThat(watched.out().lines().filter(line -> line.startsWith("--- "))).hasSize(2);
            assertThat(watched.out().lines().filter(line -> line.contains("models/churn/versions/4"))).hasSize(2);
            assertThat(deliveries.code()).isZero();
            assertThat(deliveries.out()).containsPattern("ID +CONNECTION +ACTION +SUBJECT +STATUS +ATTEMPTS");
            assertThat(badStatus.code()).isEqualTo(2);
            assertThat(badStatus.err()).contains("--status must be pending, in_flight, delivered or dead, was \"lost\"");
            assertThat(jobs.out()).containsPattern("JOB +SOURCE +TARGET");
            assertThat(noJob.code()).isEqualTo(1);
            assertThat(noJob.err()).contains("HTTP 404").contains("no sync job named nightly");
        } finally {
            hub.close();
        }
    }

    @Test
    void connectionsAndRoutesListWhatARunningHubRuns() throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        Files.writeString(routes.resolve("record.camel.yaml"), """
                - route:
                    id: record-everything
                    from:
                      uri: switchboard:events
                      steps:
                        - to: switchboard:deploy/record
                """);
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), """
                switchboard:
                  routes:
                    directory: %s
                  connections:
                    deploy:
                      type: recording
                      options:
                        url: http://127.0.0.1:9/deploy
                """.formatted(routes));
        var hub = new SpringApplicationBuilder(dev.switchboard.app.SwitchboardApplication.class).run(
                "--server.port=0", "--switchboard.data-dir=" + directory.resolve("data"),
                "--switchboard.api.token=cli-token", "--SWITCHBOARD_CONFIG=" + config);
        try {
            String url = "http://127.0.0.1:" + ((WebServerApplicationContext) hub).getWebServer().getPort();

            Run connections = cli("connections", "--url", url, "--token", "cli-token");
            Run connectionsJson = cli("connections", "--url", url, "--token", "cli-token", "--json");
            Run routesTable = cli("routes", "--url", url, "--token", "cli-token");
            Run routesJson = cli("routes", "--url", url, "--token", "cli-token", "--json");
            Run unauthorized = cli("routes", "--url", url, "--token", "wrong", "--token-file", "none");

            assertThat(connections.code()).isZero();
            assertThat(connections.out().lines().toList()).hasSize(2);
            assertThat(connections.out()).containsPattern("NAME +TYPE +VERSION +PLUGIN +CAPABILITIES")
                    .containsPattern("deploy +recording +\\S+ +built-in +\\S*ACTION_TARGET");
            assertThat(connectionsJson.out()).contains("\"name\" : \"deploy\"").contains("\"plugin\" : \"built-in\"");
            assertThat(routesTable.code()).isZero();
            assertThat(routesTable.out()).containsPattern("ID +STATUS +UNFINISHED +FROM +FILE")
                    .containsPattern("record-everything +Started +0 +switchboard://?events")
                    .contains("record.camel.yaml");
            assertThat(routesJson.out()).contains("\"id\" : \"record-everything\"").contains("\"status\" : \"Started\"");
            assertThat(unauthorized.code()).isEqualTo(1);
            assertThat(unauthorized.err()).contains("HTTP 401");
        } finally {
            hub.close();
        }
    }

    @Test
    void anUnreachableHubIsReportedAsSuch() {
        Run run = cli("events", "--url", "http://127.0.0.1:9", "--token", "x");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("cannot reach the hub");
    }

    @Test
    void runPassesSpringBootOptionsThroughToTheHub() throws Exception {
        // An invalid configuration stops the hub right after Spring Boot read the options, so no hub is left running.
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), """
                switchboard:
                  connections:
                    typo:
                      type: mlfow
                """);

        Run run = cli("run", "--SWITCHBOARD_CONFIG=" + config, "--server.port=0",
                "--switchboard.data-dir=" + directory.resolve("data"));

        assertThat(run.err()).doesNotContain("Unknown option");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("error:");
    }

    @Test
    void helpAndVersionStillDescribeTheWholeLauncher() {
        Run help = cli("--help");
        Run helpRun = cli("help", "run");
        Run version = cli("--version");

        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("run", "validate", "sync", "events", "dlq", "connections", "routes", "demo");
        assertThat(helpRun.out()).contains("Usage: switchboard run").contains("--config");
        assertThat(version.out()).startsWith("switchboard ");
    }

    @Test
    void completionPrintsABashScriptThatKnowsEveryCommand() {
        Run run = cli("completion");

        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_switchboard")
                .contains("deliveries").contains("reload").contains("inject");
    }

    @Test
    void everyCommandAnswersHelpAndRunHelpStartsNothing() {
        for (String[] command : new String[][] {{"run"}, {"validate"}, {"events"}, {"events", "show"},
                {"events", "inject"}, {"dlq"}, {"dlq", "list"}, {"dlq", "replay"}, {"connections"}, {"routes"},
                {"routes", "pause"}, {"routes", "resume"}, {"deliveries"}, {"check"}, {"reload"}, {"completion"},
                {"sync"}, {"sync", "plan"}, {"sync", "apply"}, {"sync", "list"}, {"sync", "runs"}, {"demo"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";

            Run help = cli(args);

            assertThat(help.code()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).as(String.join(" ", args)).contains("Usage: switchboard " + String.join(" ", command));
        }
        assertThat(RunCommand.hubStarted()).as("run --help started a hub").isFalse();
    }

    @Test
    void runAloneReportsItsUsageErrorsUnderItsFullName() {
        // `run` is parsed without the other commands (the hub's start-up does not build them); its errors read the same.
        Run run = cli("run", "--config");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter for option '--config'")
                .contains("Usage: switchboard run");
    }
}
