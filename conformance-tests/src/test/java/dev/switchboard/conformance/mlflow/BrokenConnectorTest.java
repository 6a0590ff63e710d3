package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Proof that the suites can fail: each flaw of {@link BrokenMlflowConnector} is rejected by the test aimed at it. */
class BrokenConnectorTest {

    // Each broken variant also fails connectorIsDiscoveredByServiceLoader: it is not in META-INF/services.

    @Test
    void connectorThatIgnoresThePageTokenFailsThePagingTests() {
        Outcome outcome = run(BrokenMlflowConformance.IgnoresPageToken.class);
        assertThat(outcome.failed()).containsExactlyInAnyOrder("connectorIsDiscoveredByServiceLoader",
                "listingModelsVisitsEveryModelOnceAcrossPages");
        assertThat(outcome.failures().get("listingModelsVisitsEveryModelOnceAcrossPages"))
                .contains("is the page token ignored?");
        assertThat(outcome.passed()).contains("listingVersionsVisitsEveryVersionOnceAcrossPages",
                "creatingAVersionTwiceWithOneKeyCreatesItOnce", "webhookSignedWithAnotherSecretIsRejected");
    }

    @Test
    void connectorThatOnlyChecksThatASignatureIsPresentFailsTheSignatureTests() {
        Outcome outcome = run(BrokenMlflowConformance.ChecksSignaturePresenceOnly.class);
        assertThat(outcome.failed()).containsExactlyInAnyOrder("connectorIsDiscoveredByServiceLoader",
                "webhookSignedWithAnotherSecretIsRejected", "webhookWithChangedBodyIsRejected",
                "bodyReplacedByNonJsonIsRejectedAsABadSignature");
        assertThat(outcome.passed()).contains("validWebhookIsTranslatedIntoCanonicalEvents",
                "webhookWithoutSignatureIsRejected", "staleWebhookIsRejected");
    }

    @Test
    void connectorWithANonIdempotentCreateFailsTheIdempotencyTests() {
        Outcome outcome = run(BrokenMlflowConformance.NonIdempotentCreate.class);
        assertThat(outcome.failed()).containsExactlyInAnyOrder("connectorIsDiscoveredByServiceLoader",
                "creatingAVersionTwiceWithOneKeyCreatesItOnce", "versionCreatedForAnExternalRefIsFoundByIt");
        assertThat(outcome.passed()).contains("creatingVersionsWithDifferentKeysCreatesEach",
                "listingModelsVisitsEveryModelOnceAcrossPages");
    }

    /** The same run of the real connector passes; what it does not hold is skipped with a reason, not passed. */
    @Test
    void theRealConnectorPassesTheSameTestsAndSkipsWhatItDoesNotHoldWithAReason() {
        Outcome outcome = run(MlflowConformanceTest.class, "connectorIsDiscoveredByServiceLoader",
                "listingModelsVisitsEveryModelOnceAcrossPages", "creatingAVersionTwiceWithOneKeyCreatesItOnce",
                "webhookSignedWithAnotherSecretIsRejected", "approvalIsKept", "actionsAreDeclaredInKebabCase",
                "knownActionIsPerformedAndItsStatusIsReadable", "performingTwiceWithOneKeyStartsOneThing",
                "unknownActionFailsAsConfiguration", "actionWithoutItsParametersFailsAsConfiguration");
        assertThat(outcome.failed()).isEmpty();
        assertThat(outcome.passed()).containsExactlyInAnyOrder("connectorIsDiscoveredByServiceLoader",
                "listingModelsVisitsEveryModelOnceAcrossPages", "creatingAVersionTwiceWithOneKeyCreatesItOnce",
                "webhookSignedWithAnotherSecretIsRejected", "actionsAreDeclaredInKebabCase",
                "knownActionIsPerformedAndItsStatusIsReadable", "performingTwiceWithOneKeyStartsOneThing",
                "unknownActionFailsAsConfiguration", "actionWithoutItsParametersFailsAsConfiguration");
        assertThat(outcome.skipped()).containsExactly("approvalIsKept");
        assertThat(outcome.skipReasons().get("approvalIsKept")).contains("does not hold APPROVAL");
    }

    /** Runs {@code methods} of {@code testClass} (all when none are named) and records what happened to each. */
    private static Outcome run(Class<?> testClass, String... methods) {
        Outcome outcome = new Outcome(new TreeSet<>(), new TreeMap<>(), new TreeMap<>());
        List<DiscoverySelector> selectors = methods.length == 0 ? List.of(selectClass(testClass))
                : Stream.of(methods).map(method -> (DiscoverySelector) selectMethod(testClass, method)).toList();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors)
                .build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.getSource().orElse(null) instanceof MethodSource method) {
                            String message = result.getThrowable().map(Throwable::getMessage).orElse("");
                            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                                outcome.passed().add(method.getMethodName());
                            } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                                outcome.skipReasons().put(method.getMethodName(), message);
                            } else {
                                outcome.failures().put(method.getMethodName(), message);
                            }
                        }
                    }
                });
        return outcome;
    }

    /** What happened to each test method of one run. */
    private record Outcome(Set<String> passed, Map<String, String> failures, Map<String, String> skipReasons) {
        Set<String> failed() {
            return failures.keySet();
        }

        /** Tests aborted by a JUnit assumption: the suites' way of skipping with a reason. */
        Set<String> skipped() {
            return skipReasons.keySet();
        }
    }
}
