package dev.switchboard.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.app.SwitchboardApplication;
import dev.switchboard.app.cli.SwitchboardCli;
import dev.switchboard.app.trace.OtlpTraceReceiver;
import dev.switchboard.app.trace.OtlpTraceReceiver.ReceivedSpan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The quickstart, end to end: the hub started with the repository's own {@code switchboard.yaml} (sandbox on, the
 * shipped routes), on free ports and a temporary data directory, and {@code switchboard demo} run against it, as a
 * new user would in a second terminal, with traces exported to an OTLP receiver in the test. Then the hub restarts on
 * the same data directory and still has the event log.
 */
class DemoScenarioTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final String TOKEN = "demo-scenario-admin-token";

    @TempDir
    Path directory;

    record Run(int code, String out, String err) {
    }

    @Test
    void theDemoPromotesAVersionAndShowsEveryStepAndTheEventLogSurvivesARestart() throws Exception {
        int basePort = FreePorts.range(4);
        String demoOutput;
        try (OtlpTraceReceiver collector = new OtlpTraceReceiver();
             ConfigurableApplicationContext hub = startHub(basePort,
                     "--management.opentelemetry.tracing.export.otlp.endpoint=" + collector.endpoint(),
                     "--management.opentelemetry.tracing.export.schedule-delay=100ms")) {
            Run first = demo(hub);
            assertThat(first.code()).as("exit code; stderr: %s; stdout: %s", first.err(), first.out()).isZero();
            demoOutput = first.out();
            System.out.println(demoOutput); // what a user sees, in the test's output file
            assertThat(demoOutput)
                    .contains("== 0. promote a model version in the MLflow sandbox", "set alias champion on churn version 1")
                    .contains("== 1. webhook received", "model_version.alias_set models/churn/versions/1 from mlflow-prod")
                    .contains("champion-to-sagemaker-and-deploy=DONE")
                    .contains("== 2. artifact copied to S3", "s3://models/churn/1/model.tar.gz", "hub/copy-artifact: DELIVERED")
                    .contains("== 3. SageMaker model package registered and approved", "ModelApprovalStatus=Approved")
                    .contains("== 4. GitHub workflow dispatched", "\"deploy model=churn version=1\"")
                    .contains("== 5. CI result came back and the MLflow version got its tag", "ci_run.finished",
                            "ci-result-to-mlflow-tag=DONE", "tag deploy.status=succeeded")
                    .contains("== 6. event log", "SEQ", "OUTCOMES")
                    .contains("Done: churn version 1");
            assertThat(demoOutput + first.err()).as("no secret is printed")
                    .doesNotContain("sandbox-mlflow-webhook-secret", "sandbox-github-token", "sandbox-secret-key", TOKEN);

            Run again = demo(hub);
            assertThat(again.code()).as("a second run; stderr: %s", again.err()).isZero();
            assertThat(again.out()).contains("Done: churn version 2");

            assertOneTraceFromWebhookToDispatch(collector);
        }

        try (ConfigurableApplicationContext restarted = startHub(basePort)) {
            Run events = cli(restarted, "events", "--type", "model_version.alias_set");
            assertThat(events.code()).isZero();
            assertThat(events.out()).as("the event log after a restart on the same data directory")
                    .contains("models/churn/versions/1", "models/churn/versions/2");
        }
    }

    @Test
    void theQuickstartConfigurationAndTheShippedRoutesValidate() throws Exception {
        StringWriter out = new StringWriter();
        int code = SwitchboardCli.execute(new String[] {"validate", "--config", writeConfig(18080).toString()},
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));

        assertThat(code).as(out.toString()).isZero();
    }

    /**
     * The promotion's trace, as exported over OTLP: the GitHub dispatch's connector call goes back, span by span, to
     * the MLflow webhook's ingress, and the copy, registration and approval are in the same trace.
     */
    private static void assertOneTraceFromWebhookToDispatch(OtlpTraceReceiver collector) {
        await().atMost(Duration.ofSeconds(30)).until(() -> collector.spans().stream().anyMatch(DemoScenarioTest::isDispatch));
        ReceivedSpan dispatch = collector.spans().stream().filter(DemoScenarioTest::isDispatch).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> ancestry(collector, dispatch).contains("webhook.receive"));

        assertThat(ancestry(collector, dispatch)).as("from the dispatch up to the webhook's request, one hop per span")
                .containsExactly("connector.call", "delivery.attempt", "route.execute", "inbox.append",
                        "webhook.receive", "http post /webhooks/{connection}");
        List<ReceivedSpan> trace = collector.spans().stream()
                .filter(span -> span.traceId().equals(dispatch.traceId())).toList();
        assertThat(trace).filteredOn(span -> span.name().equals("webhook.receive"))
                .extracting(span -> span.attributes().get("switchboard.connection")).containsExactly("mlflow-prod");
        assertThat(trace).filteredOn(span -> span.name().equals("connector.call"))
                .extracting(span -> span.attributes().get("switchboard.connection") + "/"
                        + span.attributes().get("switchboard.action"))
                .contains("hub/copy-artifact", "sagemaker-prod/register-model-version", "sagemaker-prod/set-approval",
                        "github-deploy/dispatch-workflow");
        assertThat(dispatch.kind()).as("SPAN_KIND_CLIENT").isEqualTo(3);
    }

    private static boolean isDispatch(ReceivedSpan span) {
        return span.name().equals("connector.call") && "github-deploy".equals(span.attributes().get("switchboard.connection"))
                && "dispatch-workflow".equals(span.attributes().get("switchboard.action"));
    }

    /** The names of {@code span} and its ancestors among the received spans, child first. */
    private static List<String> ancestry(OtlpTraceReceiver collector, ReceivedSpan span) {
        Map<String, ReceivedSpan> byId = new HashMap<>();
        collector.spans().stream().filter(other -> other.traceId().equals(span.traceId()))
                .forEach(other -> byId.put(other.spanId(), other));
        List<String> names = new ArrayList<>();
        for (ReceivedSpan at = span; at != null && names.size() < 50; at = byId.get(at.parentSpanId())) {
            names.add(at.name());
        }
        return names;
    }

    private ConfigurableApplicationContext startHub(int basePort, String... more) throws IOException {
        Path config = writeConfig(basePort);
        List<String> args = new ArrayList<>(List.of(
                "--SWITCHBOARD_CONFIG=" + config,
                "--server.port=0",
                "--switchboard.data-dir=" + directory.resolve("data"),
                "--switchboard.api.token=" + TOKEN,
                "--switchboard.sandbox.base-port=" + basePort,
                "--switchboard.sandbox.run-duration=500ms"));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(SwitchboardApplication.class).run(args.toArray(String[]::new));
    }

    /** The quickstart file itself, with its paths made absolute (the test runs in hub-app/) and the sandbox's ports. */
    private Path writeConfig(int basePort) throws IOException {
        String yaml = Files.readString(REPOSITORY.resolve("switchboard.yaml"))
                .replace("./routes/src/main/resources/routes", REPOSITORY.resolve("routes/src/main/resources/routes").toString());
        for (int i = 0; i < 4; i++) {
            yaml = yaml.replace("127.0.0.1:" + (18080 + i), "127.0.0.1:" + (basePort + i));
        }
        return Files.writeString(directory.resolve("switchboard.yaml"), yaml);
    }

    private static Run demo(ConfigurableApplicationContext hub) {
        return cli(hub, "demo", "--step-timeout", "30");
    }

    private static Run cli(ConfigurableApplicationContext hub, String... command) {
        int port = ((WebServerApplicationContext) hub).getWebServer().getPort();
        String[] args = new String[command.length + 4];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--url";
        args[command.length + 1] = "http://127.0.0.1:" + port;
        args[command.length + 2] = "--token";
        args[command.length + 3] = TOKEN;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SwitchboardCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }
}
