package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits that keep every record storable and readable: times, lengths, well-formed text, consistent CI events. */
class RecordLimitsTest {

    private static final ResourceRef REF = ResourceRef.of("github", "gh", "workflow_run", "o/r/1");
    private static final Instant NOW = Instant.parse("2024-05-01T10:15:30Z");

    @Test
    void theFirstAndLastInstantsOfFourDigitYearsAreAccepted() {
        assertThatCode(() -> event("e1", "models/a", CanonicalEvent.EARLIEST_TIME, run(RunStatus.QUEUED,
                CanonicalEvent.EARLIEST_TIME))).doesNotThrowAnyException();
        assertThatCode(() -> event("e1", "models/a", CanonicalEvent.LATEST_TIME, run(RunStatus.QUEUED,
                CanonicalEvent.LATEST_TIME))).doesNotThrowAnyException();
        assertThat(CanonicalEvent.EARLIEST_TIME.toString()).isEqualTo("0000-01-01T00:00:00Z");
        assertThat(CanonicalEvent.LATEST_TIME.toString()).isEqualTo("9999-12-31T23:59:59.999999999Z");
    }

    @Test
    void anEventTimeOutsideFourDigitYearsIsRejectedNamingTheFieldAndValue() {
        Instant farFuture = Instant.parse("+1000000000-01-01T00:00:00Z");
        assertThatThrownBy(() -> event("e1", "models/a", farFuture, run(RunStatus.QUEUED, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time must be between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z "
                        + "(RFC 3339's four-digit years), but was \"+1000000000-01-01T00:00:00Z\"");
        assertThatThrownBy(() -> event("e1", "models/a", CanonicalEvent.LATEST_TIME.plusNanos(1), run(RunStatus.QUEUED, null)))
                .hasMessageStartingWith("time must be between");
        assertThatThrownBy(() -> event("e1", "models/a", CanonicalEvent.EARLIEST_TIME.minusNanos(1), run(RunStatus.QUEUED, null)))
                .hasMessageContaining("but was \"-0001-12-31T23:59:59.999999999Z\"");
    }

    @Test
    void payloadTimesOutsideFourDigitYearsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> run(RunStatus.QUEUED, Instant.MAX))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("startTime must be between");
        assertThatThrownBy(() -> new ModelVersion(REF, "churn", "1", null, null, null, null, null, null, null, null,
                null, null, Instant.MIN)).hasMessageStartingWith("updatedAt must be between");
        assertThatThrownBy(() -> new RegisteredModel(REF, "churn", null, null, null, Instant.MAX, null))
                .hasMessageStartingWith("createdAt must be between");
        assertThatThrownBy(() -> new Run(REF, "0", null, RunStatus.FAILED, null, Instant.MAX, null, null, null, null))
                .hasMessageStartingWith("endTime must be between");
        assertThatThrownBy(() -> new PipelineRun(REF, "p", null, RunStatus.FAILED, Instant.MIN, null, null))
                .hasMessageStartingWith("startTime must be between");
        assertThatThrownBy(() -> new DataVersion(REF, "d", "1", ArtifactRef.of(URI.create("file:/d")), Instant.MAX))
                .hasMessageStartingWith("createdAt must be between");
    }

    @Test
    void envelopeStringsLongerThanTheInboxColumnsAreRejectedWithTheValueCutShort() {
        assertThatCode(() -> event("i".repeat(512), "s".repeat(1024), NOW, run(RunStatus.QUEUED, null)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> event("i".repeat(513), "models/a", NOW, run(RunStatus.QUEUED, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id must be at most 512 characters, but was 513: \"" + "i".repeat(80) + "…\" (513 characters)");
        assertThatThrownBy(() -> event("e1", "s".repeat(1025), NOW, run(RunStatus.QUEUED, null)))
                .hasMessageStartingWith("subject must be at most 1024 characters, but was 1025");
        assertThatThrownBy(() -> new CanonicalEvent("e1", CanonicalEvent.sourceOf("c".repeat(500)),
                EventType.CI_RUN_STARTED, "x", NOW, run(RunStatus.QUEUED, null)))
                .hasMessageStartingWith("source must be at most 512 characters, but was 513");
    }

    @Test
    void aResourceKeyLongerThanTheIdentityMapColumnIsRejected() {
        assertThatCode(() -> ResourceRef.of("s", "c", "k", "n".repeat(1020))).doesNotThrowAnyException();
        assertThatThrownBy(() -> ResourceRef.of("s", "c", "k", "n".repeat(1021)))
                .hasMessageStartingWith("nativeId must be at most 1020 characters for connection \"c\" and kind \"k\"");
        assertThatThrownBy(() -> ResourceRef.of("s", "c", "k".repeat(65), "n"))
                .hasMessageStartingWith("kind must be at most 64 characters");
    }

    @Test
    void nulAndUnpairedSurrogatesAreRejectedAnywhereAndOtherUnicodeIsKept() {
        assertThatThrownBy(() -> event("e\u0000", "models/a", NOW, run(RunStatus.QUEUED, null)))
                .hasMessage("id must not contain NUL (U+0000), but was \"e?\"");
        assertThatThrownBy(() -> new TagChange("churn", "1", "k", "bad\uD800", REF))
                .hasMessage("value must be well-formed Unicode, but has an unpaired surrogate at index 3: \"bad?\"");
        assertThatThrownBy(() -> new CiRun(REF, "p", null, null, null, RunStatus.QUEUED, null, null,
                Map.of("model", "\uDC00")))
                .hasMessageStartingWith("inputs.model must be well-formed Unicode");
        assertThatThrownBy(() -> new CiRun(REF, "p", null, null, null, RunStatus.QUEUED, null, null,
                Map.of("k\u0000", "v"))).hasMessageStartingWith("inputs key must not contain NUL");
        assertThat(new TagChange("churn", "1", "k", "模型 🚀 \t\u0001", REF).value()).isEqualTo("模型 🚀 \t\u0001");
    }

    @Test
    void ciRunEventTypeAndRunStatusMustAgree() {
        assertThatThrownBy(() -> new CanonicalEvent("e1", CanonicalEvent.sourceOf("gh"), EventType.CI_RUN_FINISHED,
                "x", NOW, run(RunStatus.RUNNING, null)))
                .hasMessage("data.status must be terminal for type ci_run.finished, but was RUNNING");
        assertThatThrownBy(() -> new CanonicalEvent("e1", CanonicalEvent.sourceOf("gh"), EventType.CI_RUN_STARTED,
                "x", NOW, run(RunStatus.SUCCEEDED, null)))
                .hasMessage("data.status must be QUEUED or RUNNING for type ci_run.started, but was SUCCEEDED");
    }

    private static CanonicalEvent event(String id, String subject, Instant time, CiRun data) {
        return new CanonicalEvent(id, CanonicalEvent.sourceOf("gh"), EventType.CI_RUN_STARTED, subject, time, data);
    }

    private static CiRun run(RunStatus status, Instant started) {
        return new CiRun(REF, "deploy.yml", "o/r", "main", null, status, started, null, Map.of());
    }
}
