package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActionRequestTest {

    private static final ArtifactRef EVENT_ARTIFACT = ArtifactRef.of(URI.create("s3://models/churn/3/model.pkl"));
    private static final CanonicalEvent VERSION_CREATED = new CanonicalEvent("e-1",
            CanonicalEvent.sourceOf("mlflow-prod"), EventType.MODEL_VERSION_CREATED, "models/churn/versions/3",
            Instant.parse("2026-12-05T10:00:00Z"),
            new ModelVersion(ResourceRef.of("mlflow", "mlflow-prod", "model_version", "churn/3"), "churn", "3", null,
                    null, EVENT_ARTIFACT, Set.of(), null, null, Map.of(), Map.of(), Map.of(), null, null));

    @Test
    void theParameterNamesTheArtifactAndTheEventsArtifactIsTheDefault() {
        assertThat(request(Map.of("artifact-uri", "s3://other/model.tar.gz"), VERSION_CREATED)
                .artifact("registry", "artifact-uri").uri()).isEqualTo(URI.create("s3://other/model.tar.gz"));
        assertThat(request(Map.of("artifact-uri", " "), VERSION_CREATED).artifact("registry", "artifact-uri"))
                .isEqualTo(EVENT_ARTIFACT);
    }

    @Test
    void aValueThatIsNotAnAbsoluteUriIsAConfigurationErrorNamingTheParameter() {
        assertThatThrownBy(() -> request(Map.of("artifact-uri", "s3://models/churn model"), VERSION_CREATED)
                .artifact("registry", "artifact-uri"))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("parameter artifact-uri \"s3://models/churn model\" is not a URI");
        assertThatThrownBy(() -> request(Map.of("artifact-uri", "models/churn"), VERSION_CREATED)
                .artifact("registry", "artifact-uri"))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("parameter artifact-uri \"models/churn\" is not a URI")
                .hasMessageContaining("must be absolute");
    }

    @Test
    void withoutTheParameterAnEventWithoutAnArtifactIsAConfigurationError() {
        assertThatThrownBy(() -> request(Map.of(), null).artifact("registry", "model-data-url"))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
                .hasMessageContaining("action register needs parameter model-data-url: event (none) carries no artifact");
    }

    private static ActionTarget.Request request(Map<String, String> parameters, CanonicalEvent event) {
        return new ActionTarget.Request("register", parameters, event, "key");
    }
}
