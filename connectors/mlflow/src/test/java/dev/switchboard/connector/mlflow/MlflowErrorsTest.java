package dev.switchboard.connector.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.connector.mlflow.MlflowErrors.MlflowApiException;
import dev.switchboard.spi.ErrorKind;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MlflowErrorsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    private static MlflowApiException answer(int status, String body, String retryAfter) {
        return MlflowErrors.fromResponse("mlflow-prod", "POST registered-models/create", status, body,
                Optional.ofNullable(retryAfter), CLOCK);
    }

    @Test
    void resourceAlreadyExistsIsRecognisedByErrorCodeAlthoughItIsHttp400() {
        MlflowApiException e = answer(400, "{\"error_code\": \"RESOURCE_ALREADY_EXISTS\", \"message\": "
                + "\"Registered Model (name=churn) already exists.\"}", null);
        assertThat(e.is(MlflowErrors.RESOURCE_ALREADY_EXISTS)).isTrue();
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).isEqualTo("[mlflow-prod] POST registered-models/create failed with HTTP 400 "
                + "(RESOURCE_ALREADY_EXISTS: Registered Model (name=churn) already exists.)");
    }

    @Test
    void clientErrorsAreConfigurationAndServerErrorsTransient() {
        assertThat(answer(401, "You are not authenticated.", null).kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(answer(403, "{\"error_code\": \"PERMISSION_DENIED\"}", null).kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(answer(404, "", null).isNotFound()).isTrue();
        assertThat(answer(500, "{\"error_code\": \"INTERNAL_ERROR\"}", null).kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(answer(503, "Service Unavailable", null).kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(answer(409, "{\"error_code\": \"ABORTED\"}", null).kind()).as("aborted transaction")
                .isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(answer(429, "{\"error_code\": \"REQUEST_LIMIT_EXCEEDED\"}", "12").retryAfter())
                .contains(Duration.ofSeconds(12));
        assertThat(answer(429, "", "Sun, 01 Mar 2026 12:01:30 GMT").retryAfter()).contains(Duration.ofSeconds(90));
        assertThat(answer(429, "", "soon").retryAfter()).isEmpty();
    }

    @Test
    void timeoutsAndResetsAreTransient() {
        assertThat(MlflowErrors.fromIo("mlflow-prod", "GET runs/get", new HttpTimeoutException("request timed out"))
                .getMessage()).isEqualTo("[mlflow-prod] GET runs/get timed out");
        assertThat(MlflowErrors.fromIo("mlflow-prod", "GET runs/get", new IOException("Connection reset")).kind())
                .isEqualTo(ErrorKind.TRANSIENT);
    }

    @Test
    void longBodiesAreAbbreviatedInMessages() {
        String page = "<html>" + "x".repeat(5000) + "</html>";
        assertThat(answer(502, page, null).getMessage()).hasSizeLessThan(450).endsWith("…)");
    }
}
