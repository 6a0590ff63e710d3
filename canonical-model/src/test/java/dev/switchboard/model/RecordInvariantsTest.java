package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordInvariantsTest {

    private static final ResourceRef REF = ResourceRef.of("mlflow", "mlflow-prod", "model_version", "churn/3");

    @Test
    void blankModelNameIsRejectedNamingTheFieldAndValue() {
        assertThatThrownBy(() -> modelVersion("  ", "3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("modelName must not be blank, but was \"  \"");
        assertThatThrownBy(() -> modelVersion(null, "3"))
                .hasMessage("modelName must not be blank, but was null");
    }

    @Test
    void missingRequiredReferenceIsRejectedNamingTheField() {
        assertThatThrownBy(() -> new AliasChange("churn", "champion", "3", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model must not be null");
    }

    @Test
    void negativeSizeIsRejectedNamingTheFieldAndValue() {
        assertThatThrownBy(() -> new ArtifactRef(URI.create("s3://bucket/model.pkl"), -1L, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must not be negative, but was -1");
    }

    @Test
    void relativeArtifactUriIsRejected() {
        assertThatThrownBy(() -> ArtifactRef.of(URI.create("models/churn")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri must be absolute (with a scheme), but was \"models/churn\"");
    }

    @Test
    void badSha256HexIsRejectedNamingTheAlgorithmAndValue() {
        assertThatThrownBy(() -> Digest.sha256("xyz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value must be lower-case hex for SHA_256, but was \"xyz\"");
        assertThatThrownBy(() -> new Digest(Digest.Algorithm.MD5, "a".repeat(64)))
                .hasMessageContaining("for MD5");
    }

    @Test
    void upperCaseHexIsNormalisedAndEtagIsKeptAsIs() {
        assertThat(Digest.sha256("AB".repeat(32)).value()).isEqualTo("ab".repeat(32));
        assertThat(new Digest(Digest.Algorithm.ETAG, "\"9B2C-4\"").value()).isEqualTo("\"9B2C-4\"");
    }

    @Test
    void negativeSyncCountIsRejectedNamingTheField() {
        assertThatThrownBy(() -> new SyncCompleted("nightly", "r1", 0, 0, 0, -2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("skipped must not be negative, but was -2");
    }

    @Test
    void canonicalEventWithDataOfAnotherTypeIsRejected() {
        ModelVersion data = modelVersion("churn", "3");

        assertThatThrownBy(() -> new CanonicalEvent("e1", CanonicalEvent.sourceOf("mlflow-prod"),
                EventType.MODEL_VERSION_ALIAS_SET, "models/churn", Instant.EPOCH, data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data must be a AliasChange for type model_version.alias_set, but was a ModelVersion");
    }

    @Test
    void collectionsAreCopiedAndImmutable() {
        Map<String, String> tags = new HashMap<>(Map.of("owner", "alice"));
        Set<String> aliases = new HashSet<>(Set.of("champion"));
        Map<String, Double> metrics = new HashMap<>(Map.of("auc", 0.9));
        ModelVersion version = new ModelVersion(REF, "churn", "3", null, null, null, aliases, null, null, tags,
                metrics, null, null, null);

        tags.put("owner", "mallory");
        aliases.add("challenger");
        metrics.clear();

        assertThat(version.tags()).containsExactly(Map.entry("owner", "alice"));
        assertThat(version.aliases()).containsExactly("champion");
        assertThat(version.metrics()).containsExactly(Map.entry("auc", 0.9));
        assertThatThrownBy(() -> version.tags().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> version.aliases().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(version.params()).isEmpty();
    }

    @Test
    void nullCollectionsBecomeEmpty() {
        ModelVersion version = modelVersion("churn", "3");

        assertThat(version.aliases()).isEmpty();
        assertThat(version.tags()).isEmpty();
        assertThat(version.metrics()).isEmpty();
        assertThat(version.params()).isEmpty();
    }

    @Test
    void nullMapValueAndBlankKeyAreRejectedNamingTheEntry() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("owner", null);
        assertThatThrownBy(() -> new CiRun(REF, "deploy.yml", null, null, null, RunStatus.RUNNING, null, null,
                nullValue))
                .hasMessage("inputs.owner must not be null");
        assertThatThrownBy(() -> new RegisteredModel(REF, "churn", null, Map.of(" ", "x"), null, null, null))
                .hasMessage("tags must not have a blank key, but had \" \"");
        assertThatThrownBy(() -> new ModelVersion(REF, "churn", "3", null, null, null, Set.of(""), null, null,
                null, null, null, null, null))
                .hasMessage("aliases[] must not be blank, but was \"\"");
    }

    @Test
    void eventTypeIsFoundByShortOrCloudEventsNameAndUnknownNamesAreQuoted() {
        assertThat(EventType.of("model_version.created")).isEqualTo(EventType.MODEL_VERSION_CREATED);
        assertThat(EventType.of("dev.switchboard.model_version.created")).isEqualTo(EventType.MODEL_VERSION_CREATED);
        assertThatThrownBy(() -> EventType.of("model.deleted"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown event type \"model.deleted\"; known types: ");
    }

    private static ModelVersion modelVersion(String modelName, String version) {
        return new ModelVersion(REF, modelName, version, null, null, null, null, null, null, null, null, null, null,
                null);
    }
}
