package dev.switchboard.conformance;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The broken-connector harness: runs a conformance test class (usually one of your own, with a deliberately broken
 * connector) with the JUnit Platform Launcher and tells which tests passed, failed or were skipped, so a test can
 * prove that a suite rejects the mistake it is aimed at. A suite that cannot fail is worthless.
 *
 * <pre>{@code
 * class PrefixTokenAccepted extends AcmeConformanceTest {          // not named *Test: Surefire skips it
 *     public Connector connector() { return new BrokenAcme(Flaw.PREFIX_TOKEN); }
 * }
 *
 * @Test
 * void aConnectorAcceptingAPrefixOfTheSecretFailsTheSecretSuite() {
 *     SuiteRun.Outcome outcome = SuiteRun.of(PrefixTokenAccepted.class);
 *     assertThat(outcome.failed()).contains("webhookSignedWithAPrefixOfTheSecretIsRejected");
 * }
 * }</pre>
 */
public final class SuiteRun {

    private SuiteRun() {
    }

    /**
     * What happened to each test method of one run, by method name.
     *
     * @param passed      the tests that passed
     * @param failures    the tests that failed, with the message of their failure; a class that failed as a whole
     *                    (its {@code @BeforeAll}, a {@link Fake} field) under its simple name
     * @param skipReasons the tests aborted by an assumption (the suites' skip with a reason), with the reason
     */
    public record Outcome(Set<String> passed, Map<String, String> failures, Map<String, String> skipReasons) {

        /** The names of the failed tests. */
        public Set<String> failed() {
            return failures.keySet();
        }

        /** The names of the skipped tests. */
        public Set<String> skipped() {
            return skipReasons.keySet();
        }
    }

    /** Runs {@code methods} of {@code testClass} (every test when none is named) and records each outcome. */
    public static Outcome of(Class<?> testClass, String... methods) {
        Outcome outcome = new Outcome(new TreeSet<>(), new TreeMap<>(), new TreeMap<>());
        List<DiscoverySelector> selectors = methods.length == 0 ? List.of(selectClass(testClass))
                : Stream.of(methods).map(method -> (DiscoverySelector) selectMethod(testClass, method)).toList();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.getSource().orElse(null) instanceof ClassSource type
                                && result.getStatus() == TestExecutionResult.Status.FAILED) {
                            outcome.failures().put(type.getJavaClass().getSimpleName(),
                                    result.getThrowable().map(Throwable::getMessage).orElse(""));
                        }
                        if (test.getSource().orElse(null) instanceof MethodSource method) {
                            String message = result.getThrowable().map(Throwable::getMessage).orElse("");
                            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                                outcome.passed().add(method.getMethodName());
                            } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                                outcome.skipReasons().put(method.getMethodName(), message);
                            } else {
                                outcome.failures().put(method.getMethodName(), String.valueOf(message));
                            }
                        }
                    }
                });
        return outcome;
    }
}
