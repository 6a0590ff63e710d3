package dev.switchboard.conformance.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.SuiteRun;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import org.junit.jupiter.api.Test;

/** {@link Fake} runs a fake's life around a test class: started before, reset between tests, stopped after. */
class FakeLifecycleTest {

    /** Run by {@link SuiteRun} only (not named {@code *Test}). */
    static class UsesAFake {
        @Fake
        static final MlflowFake MLFLOW = new MlflowFake();

        @Test
        void first() {
            assertThat(MLFLOW.server()).as("started before the test").isNotNull();
            assertThat(MLFLOW.createModelVersion("leftover", "s3://models/leftover/1")).isEqualTo("1");
        }

        @Test
        void second() {
            assertThat(MLFLOW.createModelVersion("leftover", "s3://models/leftover/1")).as("reset before each test")
                    .isEqualTo("1");
        }
    }

    /** Not static: refused with a message. */
    static class InstanceField {
        @Fake
        final MlflowFake mlflow = new MlflowFake();

        @Test
        void never() {
        }
    }

    @Test
    void aStaticFakeIsStartedResetBetweenTestsAndStoppedAfterTheClass() {
        SuiteRun.Outcome outcome = SuiteRun.of(UsesAFake.class);
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.passed()).containsExactlyInAnyOrder("first", "second");
        assertThat(UsesAFake.MLFLOW.server()).as("stopped after the class").isNull();
    }

    @Test
    void aFakeInAnInstanceFieldIsRefusedWithAMessage() {
        SuiteRun.Outcome outcome = SuiteRun.of(InstanceField.class);
        assertThat(outcome.passed()).isEmpty();
        assertThat(outcome.failures().get("InstanceField"))
                .contains("@Fake field InstanceField.mlflow must be static");
    }
}
