package dev.switchboard.connector.kubeflow.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.switchboard.spi.Connector;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Proof that the suites catch a wrong {@code customProperties} mapping: the same conformance class with
 * {@link BrokenRegistryConnector} (string values under {@code value} instead of {@code string_value}) fails the
 * tests that write tags, aliases or lineage, because the fake checks typed values as strictly as the registry's
 * OpenAPI document does; the same tests of the real connector pass.
 */
class BrokenMappingTest {

    /** The conformance test with the broken connector; not run by Surefire itself (no {@code Test} suffix). */
    static class WithBrokenMapping extends KubeflowRegistryConformanceTest {
        @Override
        public Connector connector() {
            return new BrokenRegistryConnector();
        }
    }

    @Test
    void aWrongCustomPropertiesMappingFailsTheSuites() {
        Map<String, String> failures = new TreeMap<>();
        Set<String> passed = new TreeSet<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(WithBrokenMapping.class)).build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.getSource().orElse(null) instanceof MethodSource method) {
                            if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                                passed.add(method.getMethodName());
                            } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                                failures.put(method.getMethodName(),
                                        result.getThrowable().map(Throwable::getMessage).orElse(""));
                            }
                        }
                    }
                });
        assertThat(failures.keySet()).contains("createdModelCanBeReadBack", "createdVersionCanBeReadBack",
                "versionTagsAreSetOverwrittenAndDeleted", "aliasPointsAtAVersionMovesAndIsDeleted",
                "knownActionIsPerformedAndItsStatusIsReadable");
        assertThat(failures.get("versionTagsAreSetOverwrittenAndDeleted"))
                .contains("HTTP 400").contains("unknown field \"value\" for MetadataStringValue");
        assertThat(passed).as("tests that write no string property still pass").contains(
                "actionsAreDeclaredInKebabCase", "goodConfigsHaveNoProblems", "pollingFromNowOnReportsOnlyLaterChanges");
    }
}
