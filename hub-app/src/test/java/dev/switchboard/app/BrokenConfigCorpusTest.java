package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.app.cli.SwitchboardCli;
import dev.switchboard.core.config.InvalidConfigurationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * "Valid" means "starts": each file of a corpus of broken configurations, one mistake each, is reported by
 * {@code switchboard validate} and refused by the hub at start with the same problem, path and wording (on stdout,
 * without a stack trace).
 */
@ExtendWith(OutputCaptureExtension.class)
class BrokenConfigCorpusTest {

    private static final String CONNECTION = """
              connections:
                deploy:
                  type: recording
                  options:
                    url: http://127.0.0.1:9/deploy
            """;
    private static final String SYNC_JOB = """
              connections:
                a:
                  type: recording
                  options:
                    url: http://127.0.0.1:9/a
              sync-jobs:
                nightly:
                  source: a
                  target: b
            """;

    @TempDir
    Path directory;

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("switchboard:\n  conections:\n    x:\n      type: recording\n", "conections: unknown key \"conections\"; did you "
                        + "mean \"connections\"?"),
                Arguments.of("switchboard:\n  sandox:\n    enabled: true\n", "sandox: unknown key \"sandox\"; did you "
                        + "mean \"sandbox\"?"),
                Arguments.of("switchboard:\n  rout:\n    directory: .\n", "rout: unknown key \"rout\"; did you mean "
                        + "\"routes\"?"),
                Arguments.of("switchboard:\n  delivery:\n    max-atempts: 3\n", "delivery.max-atempts: unknown key "
                        + "\"max-atempts\"; did you mean \"max-attempts\"?"),
                Arguments.of("switchboard:\n  webhooks:\n    max-body-byte: 10\n", "webhooks.max-body-byte: unknown "
                        + "key \"max-body-byte\"; did you mean \"max-body-bytes\"?"),
                Arguments.of("switchbord:\n  connections:\n    x:\n      type: recording\n", "switchbord: unknown top-level key \"switchbord\"; "
                        + "did you mean \"switchboard\"?"),
                Arguments.of("switchboard:\n" + CONNECTION.replace("type: recording", "tpye: recording"),
                        "connections.deploy.tpye: unknown key \"tpye\"; did you mean \"type\"?"),
                Arguments.of("switchboard:\n  delivery:\n    base-backoff: soon\n", "delivery.base-backoff: must be a "
                        + "duration such as 500ms, 30s, 5m or 1h, was \"soon\""),
                Arguments.of("switchboard:\n  delivery:\n    max-attempts: lots\n", "delivery.max-attempts: must be a "
                        + "whole number, was \"lots\""),
                Arguments.of("switchboard:\n  sandbox:\n    enabled: maybe\n", "sandbox.enabled: must be true or "
                        + "false, was \"maybe\""),
                Arguments.of("switchboard:\n  delivery:\n    workers: 4\n    lease: 5 minutes\n", "delivery.lease: "
                        + "must be a duration such as 500ms, 30s, 5m or 1h, was \"5 minutes\""),
                Arguments.of("switchboard:\n" + SYNC_JOB + "      mapping:\n        alias-aproval:\n          "
                        + "champion: APPROVED\n", "sync-jobs.nightly.mapping.alias-aproval: unknown key "
                        + "\"alias-aproval\"; did you mean \"alias-approval\"?"),
                Arguments.of("switchboard:\n" + SYNC_JOB + "      trigger:\n        interval: 15 minutes\n",
                        "sync-jobs.nightly.trigger.interval: must be a duration such as 500ms, 30s, 5m or 1h, "
                                + "was \"15 minutes\""),
                Arguments.of("switchboard:\n" + SYNC_JOB + "      artifacts:\n        mode: copyy\n",
                        "sync-jobs.nightly.artifacts.mode: must be one of reference, copy, was \"copyy\""),
                Arguments.of("switchboard:\n" + SYNC_JOB + "      selektion:\n        models: [churn]\n",
                        "sync-jobs.nightly.selektion: unknown key \"selektion\"; did you mean \"selection\"?"),
                Arguments.of("switchboard:\n  delivery:\n    max-attempts:\n      first: 1\n",
                        "delivery.max-attempts: takes a single value, not keys below it such as \"first\""),
                Arguments.of("switchboard:\n  api:\n    tokn: x\n",
                        "api.tokn: unknown key \"tokn\"; did you mean \"token\"?"),
                Arguments.of("switchboard:\n  routes:\n    watch-interval: often\n", "routes.watch-interval: must be "
                        + "a duration such as 500ms, 30s, 5m or 1h, was \"often\""),
                Arguments.of("switchboard:\n  webhooks:\n    max-body-bytes: 0\n",
                        "webhooks.max-body-bytes: must be at least 1, was 0"),
                Arguments.of("switchboard:\n  webhooks:\n    timestamp-skew-seconds: 0\n",
                        "webhooks.timestamp-skew-seconds: must be at least 1, was 0"),
                Arguments.of("switchboard:\n  webhooks:\n    body-timeout: 0s\n",
                        "webhooks.body-timeout: must be a positive duration such as 10s, was 0ms"),
                Arguments.of("switchboard:\n  connections:\n    x:\n      type: mlfow\n",
                        "connections.x.type: unknown connector type \"mlfow\""),
                Arguments.of("switchboard:\n  plugins:\n    directori: x\n",
                        "plugins.directori: unknown key \"directori\"; did you mean \"directory\"?"),
                Arguments.of("switchboard:\n  sandbox:\n    base-prot: 1\n",
                        "sandbox.base-prot: unknown key \"base-prot\"; did you mean \"base-port\"?"),
                Arguments.of("switchboard:\n  routes:\n    directory: /no/such/routes\n",
                        "routes.directory: does not exist: \"/no/such/routes\""),
                Arguments.of("switchboard:\n  connections:\n    deploy:\n      type: recording\n",
                        "connections.deploy.options.url"),
                Arguments.of("switchboard:\n" + CONNECTION.replace("http://127.0.0.1:9/deploy", "mlflow:5000"),
                        "connections.deploy.options.url: must be an absolute http(s) URL, was \"mlflow:5000\""),
                Arguments.of("switchboard:\n" + SYNC_JOB, "sync-jobs.nightly.target: unknown connection \"b\""),
                Arguments.of("switchboard:\n" + SYNC_JOB.replace("target: b", "target: a"),
                        "sync-jobs.nightly.target: must differ from the source"),
                Arguments.of("switchboard:\n" + SYNC_JOB + "      trigger:\n        events: [model_version.teleported]\n",
                        "unknown event type \"model_version.teleported\""));
    }

    private static final String ROUTE = """
            - route:
                id: %s
                from:
                  uri: switchboard:events
                  parameters:
                    %s
                  steps:
                    %s
            """;

    static Stream<Arguments> routeCorpus() {
        String type = "type: model_version.alias_set";
        String step = "- to: switchboard:deploy/record";
        return Stream.of(
                Arguments.of(List.of(ROUTE.formatted("r", "concurrency: lots", step)),
                        "route r: concurrency must be a whole number from 1 to 999999999, was \"lots\""),
                Arguments.of(List.of(ROUTE.formatted("r", "startAt: middle", step)),
                        "route r: startAt must be one of end, beginning, was \"middle\""),
                Arguments.of(List.of(ROUTE.formatted("r", "batchSize: 10", step)),
                        "route r: switchboard:events has no parameter \"batchSize\"; it takes type, source,"),
                Arguments.of(List.of(ROUTE.formatted("r", "sorce: deploy", step)),
                        "route r: switchboard:events has no parameter \"sorce\""),
                Arguments.of(List.of(ROUTE.formatted("r", "source: mlflow-prod", step)),
                        "route r: source \"mlflow-prod\" is not a configured connection"),
                Arguments.of(List.of(ROUTE.formatted("r", "type: model_version.teleported", step)),
                        "unknown event type \"model_version.teleported\""),
                Arguments.of(List.of(ROUTE.formatted("r", type, "- filter:\n              simple: \"${body.data.alias"
                        + " == 'champion'\"\n              steps:\n                " + step)),
                        "route r: the filter expression \"${body.data.alias == 'champion'\" does not compile"),
                Arguments.of(List.of(ROUTE.formatted("r", type, "- to: switchboard:deploy/explode")),
                        "route r: connection deploy has no action explode"),
                Arguments.of(List.of(ROUTE.formatted("r", type, "- to: switchboard:nowhere/record")),
                        "names connection nowhere, which is not configured"),
                Arguments.of(List.of(ROUTE.formatted("r", type, step), ROUTE.formatted("r", type, step)),
                        "route id \"r\" is used again; it is already the id of a route in"),
                Arguments.of(List.of("- beans:\n    - name: x\n      type: java.lang.Object\n"),
                        ":1: \"beans\" is not allowed at the top of a route file"),
                Arguments.of(List.of(ROUTE.formatted("r", type, "- setBody:\n              simple: \"${env.HOME}\"")),
                        ":9: expressions may not reach beans, classes, the exchange"),
                Arguments.of(List.of(ROUTE.replace("    id: %s\n", "").formatted(type, step)),
                        "has no id: give it one (route.id)"),
                Arguments.of(List.of(ROUTE.formatted("r", type, "- to: switchboard:deploy")),
                        "must be switchboard:<connection>/<action>"),
                Arguments.of(List.of("- route: [\n"), "f0.camel.yaml: is not valid YAML"));
    }

    @ParameterizedTest
    @MethodSource("routeCorpus")
    void aBrokenRouteFileIsReportedByValidateAndRefusedAtStartAlike(List<String> files, String problem,
                                                                  CapturedOutput output) throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        for (int i = 0; i < files.size(); i++) {
            Files.writeString(routes.resolve("f" + i + ".camel.yaml"), files.get(i));
        }
        String yaml = "switchboard:\n  routes:\n    directory: " + routes + "\n" + CONNECTION;

        validateReportsTheMistakeAndTheHubRefusesToStartWithTheSameWords(yaml, problem, output);
    }

    @Test
    void twoRoutesMayReadTheSameEvents() throws Exception {
        Path routes = Files.createDirectories(directory.resolve("routes"));
        String type = "type: model_version.alias_set";
        Files.writeString(routes.resolve("a.camel.yaml"), ROUTE.formatted("a", type, "- to: switchboard:deploy/record"));
        Files.writeString(routes.resolve("b.camel.yaml"), ROUTE.formatted("b", type, "- to: switchboard:deploy/record"));
        String yaml = "switchboard:\n  routes:\n    directory: " + routes + "\n" + CONNECTION;
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), yaml);
        StringWriter out = new StringWriter();

        int code = SwitchboardCli.execute(new String[] {"validate", "--config", config.toString()},
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).as(out.toString()).isZero();
        try (ConfigurableApplicationContext hub = HubRunner.start(directory, yaml, null)) {
            assertThat(hub.getBean(CamelContext.class).getRoutes()).extracting(Route::getRouteId)
                    .containsExactlyInAnyOrder("a", "b");
            assertThat(HubRunner.get(hub, "/actuator/health/readiness")).startsWith("200");
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void aBrokenConfigurationIsReportedByValidateAndRefusedAtStartAlike(String yaml, String problem,
                                                                       CapturedOutput output) throws Exception {
        validateReportsTheMistakeAndTheHubRefusesToStartWithTheSameWords(yaml, problem, output);
    }

    private void validateReportsTheMistakeAndTheHubRefusesToStartWithTheSameWords(String yaml, String problem,
                                                                                CapturedOutput output)
            throws Exception {
        Path config = Files.writeString(directory.resolve("switchboard.yaml"), yaml);
        StringWriter out = new StringWriter();

        int code = SwitchboardCli.execute(new String[] {"validate", "--config", config.toString()},
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        Throwable failure = catchThrowable(() -> HubRunner.start(directory, yaml, null).close());

        assertThat(code).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains(problem);
        assertThat(failure).as("the hub started on a broken file").isNotNull();
        InvalidConfigurationException invalid = invalid(failure);
        assertThat(invalid.getMessage()).contains(problem);
        assertThat(output.getOut()).as("stdout of the refused start").contains(problem).doesNotContain("\tat ");
    }

    private static InvalidConfigurationException invalid(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("start-up did not fail with an InvalidConfigurationException", failure);
    }
}
