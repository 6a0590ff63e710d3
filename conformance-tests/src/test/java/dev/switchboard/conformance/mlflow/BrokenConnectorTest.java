package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.SuiteRun;
import dev.switchboard.conformance.SuiteRun.Outcome;
import org.junit.jupiter.api.Test;

/**
 * Proof that the suites can fail: each flaw of {@link BrokenMlflowConnector} is rejected by the test aimed at it,
 * run through the kit's broken-connector harness ({@link SuiteRun}).
 */
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
                "bodyReplacedByNonJsonIsRejectedAsABadSignature", "webhookSignedWithAPrefixOfTheSecretIsRejected",
                "webhookSignedWithTheSecretAndMoreIsRejected", "webhookWithATruncatedSignatureIsRejected");
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

    @Test
    void connectorThatAcceptsAPrefixOfTheSignatureFailsTheSecretSuite() {
        Outcome outcome = run(BrokenMlflowConformance.SignaturePrefixMatches.class, SECRET_TESTS);
        assertThat(outcome.failed()).containsExactly("webhookWithATruncatedSignatureIsRejected");
        assertThat(outcome.failures().get("webhookWithATruncatedSignatureIsRejected")).contains("must be rejected");
    }

    @Test
    void connectorThatAcceptsWebhooksWithoutASecretFailsTheSecretSuite() {
        Outcome outcome = run(BrokenMlflowConformance.AcceptsWebhooksWithoutSecret.class, SECRET_TESTS);
        assertThat(outcome.failed()).containsExactly("webhooksAreRefusedWhenNoSecretIsConfigured");
        assertThat(outcome.failures().get("webhooksAreRefusedWhenNoSecretIsConfigured")).contains("deny by default");
    }

    @Test
    void connectorThatEchoesItsTokenInErrorsFailsTheErrorClassificationSuite() {
        Outcome outcome = run(BrokenMlflowConformance.EchoesTokenInErrors.class, ERROR_TESTS);
        assertThat(outcome.failed()).containsExactlyInAnyOrder(ERROR_TESTS);
        assertThat(outcome.failures().get("serverErrorsAreTransient")).contains("messages of the failure");
    }

    /** The real connector passes the new suites that the broken variants above fail. */
    @Test
    void theRealConnectorPassesTheSecretAndErrorSuites() {
        Outcome secrets = run(MlflowConformanceTest.class, SECRET_TESTS);
        Outcome errors = run(MlflowConformanceTest.class, ERROR_TESTS);
        assertThat(secrets.failures()).isEmpty();
        assertThat(errors.failures()).isEmpty();
        assertThat(secrets.passed()).containsExactlyInAnyOrder(SECRET_TESTS);
        assertThat(errors.passed()).containsExactlyInAnyOrder(ERROR_TESTS);
    }

    private static final String[] SECRET_TESTS = {"webhookSignedWithAPrefixOfTheSecretIsRejected",
            "webhookSignedWithTheSecretAndMoreIsRejected", "webhookWithATruncatedSignatureIsRejected",
            "webhooksAreRefusedWhenNoSecretIsConfigured"};
    private static final String[] ERROR_TESTS = {"rateLimitingIsTransientAndCarriesRetryAfter",
            "serverErrorsAreTransient", "aToolSlowerThanTheRequestTimeoutIsTransient", "aResetConnectionIsTransient",
            "clientErrorsAreConfigurationAndNeverRetried"};

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

    private static Outcome run(Class<?> testClass, String... methods) {
        return SuiteRun.of(testClass, methods);
    }
}
