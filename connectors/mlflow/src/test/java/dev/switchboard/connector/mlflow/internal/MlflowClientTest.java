package dev.switchboard.connector.mlflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.connector.mlflow.MlflowErrors.MlflowApiException;
import dev.switchboard.spi.ErrorKind;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Reading MLflow's payloads: snake_case, string versions, int64 as numbers or (old servers) strings. */
class MlflowClientTest {

    private final MlflowClient client = new MlflowClient("mlflow-prod", URI.create("http://127.0.0.1:1"),
            Optional.empty(), Optional.empty(), Duration.ofSeconds(1), Clock.systemUTC());
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void modelVersionIsReadWithStringVersionAndInt64AsNumberOrString() {
        String body = "{\"model_versions\": [{\"name\": \"churn\", \"version\": \"3\", "
                + "\"creation_timestamp\": 1718000150000, \"last_updated_timestamp\": \"1718000200000\", "
                + "\"current_stage\": \"None\", \"source\": \"models:/m-0123abcd\", \"status\": \"READY\", "
                + "\"tags\": [{\"key\": \"validated\", \"value\": \"true\"}], \"aliases\": [\"champion\"], "
                + "\"deployment_job_state\": {\"job_id\": \"x\"}}], \"next_page_token\": \"eyJvZmZzZXQiOiAxfQ==\"}";
        MlflowDtos.SearchPage<MlflowDtos.ModelVersion> page = client.page(json.readTree(body), "model_versions",
                MlflowDtos.ModelVersion.class);
        assertThat(page.nextPageToken()).isEqualTo("eyJvZmZzZXQiOiAxfQ==");
        MlflowDtos.ModelVersion version = page.items().get(0);
        assertThat(version.version()).isEqualTo("3");
        assertThat(version.creationTimestamp()).isEqualTo(1718000150000L);
        assertThat(version.lastUpdatedTimestamp()).isEqualTo(1718000200000L);
        assertThat(version.aliases()).containsExactly("champion");
    }

    @Test
    void emptySearchOmitsTheListAndTheToken() {
        MlflowDtos.SearchPage<MlflowDtos.RegisteredModel> page = client.page(json.readTree("{}"),
                "registered_models", MlflowDtos.RegisteredModel.class);
        assertThat(page.items()).isEmpty();
        assertThat(page.nextPageToken()).isNull();
    }

    @Test
    void missingFieldInASuccessfulAnswerIsASystemError() {
        MlflowApiException e = catchThrowableOfType(MlflowApiException.class,
                () -> client.field(json.readTree("{}"), "registered_model", MlflowDtos.RegisteredModel.class));
        assertThat(e.kind()).isEqualTo(ErrorKind.SYSTEM);
        assertThat(e.getMessage()).contains("[mlflow-prod]").contains("registered_model");
    }
}
