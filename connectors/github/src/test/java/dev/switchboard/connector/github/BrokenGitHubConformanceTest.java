package dev.switchboard.connector.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.ForwardingConnector;
import dev.switchboard.conformance.SuiteRun;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.RunStatus;
import dev.switchboard.spi.Connection;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.ConnectorContext;
import dev.switchboard.spi.EventSource;
import dev.switchboard.spi.WebhookRequest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Proof, with the kit's broken-connector harness, that the event content suite catches a mapping mistake no
 * signature test sees: the GitHub connector with {@code success} and {@code failure} swapped.
 */
class BrokenGitHubConformanceTest {

    /** The conformance test with the broken connector; not named {@code *Test}, so Surefire runs it only here. */
    static class SwapsConclusion extends GitHubConformanceTest {
        @Override
        public Connector connector() {
            return new SwappingConnector();
        }
    }

    @Test
    void connectorThatSwapsSuccessAndFailureFailsTheGoldenExamples() {
        SuiteRun.Outcome broken = SuiteRun.of(SwapsConclusion.class,
                "everyGoldenExampleBecomesItsExpectedCanonicalEvents", "validWebhookIsTranslatedIntoCanonicalEvents");
        assertThat(broken.failed()).containsExactly("everyGoldenExampleBecomesItsExpectedCanonicalEvents");
        assertThat(broken.failures().get("everyGoldenExampleBecomesItsExpectedCanonicalEvents"))
                .contains("data.status: expected \"SUCCEEDED\", was \"FAILED\"")
                .contains("data.status: expected \"FAILED\", was \"SUCCEEDED\"");
        assertThat(broken.passed()).containsExactly("validWebhookIsTranslatedIntoCanonicalEvents");

        SuiteRun.Outcome real = SuiteRun.of(GitHubConformanceTest.class,
                "everyGoldenExampleBecomesItsExpectedCanonicalEvents");
        assertThat(real.passed()).containsExactly("everyGoldenExampleBecomesItsExpectedCanonicalEvents");
    }

    /** The real connector, whose webhooks report a succeeded run as failed and the other way round. */
    static final class SwappingConnector extends ForwardingConnector {
        SwappingConnector() {
            super(new GitHubConnector());
        }

        @Override
        public Connection open(ConnectionConfig config, ConnectorContext context) {
            return new ForwardingConnection(super.open(config, context)) {
                @Override
                public Optional<EventSource> eventSource() {
                    return super.eventSource().map(source -> new EventSource() {
                        @Override
                        public List<CanonicalEvent> receive(WebhookRequest request) {
                            return swapped(source, request);
                        }

                        @Override
                        public PollResult poll(String cursor) {
                            return source.poll(cursor);
                        }
                    });
                }
            };
        }

        private static List<CanonicalEvent> swapped(EventSource source, WebhookRequest request) {
            return source.receive(request).stream().map(event -> event.data() instanceof CiRun run
                    ? new CanonicalEvent(event.id(), event.source(), event.type(), event.subject(), event.time(),
                    new CiRun(run.ref(), run.pipeline(), run.repository(), run.gitRef(), run.commitSha(),
                            run.status() == RunStatus.SUCCEEDED ? RunStatus.FAILED
                                    : run.status() == RunStatus.FAILED ? RunStatus.SUCCEEDED : run.status(),
                            run.startTime(), run.endTime(), run.inputs()))
                    : event).toList();
        }
    }
}
