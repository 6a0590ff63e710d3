package dev.switchboard.conformance.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.fakes.mlflow.MlflowFake;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MLflow fake answers in exactly the shapes real MLflow 2.12 and 3.6 servers answered
 * ({@code src/test/resources/recordings}, copied from {@code shared/reference/recordings}): the scenario the
 * recordings were made with is replayed against the fake, and each answer is compared with the recording field by
 * field: the same names at every level, nothing missing, nothing extra, the same JSON types, the same values
 * wherever a value is not an id, a path or a wall-clock time. A fake that is kinder than the server (a version search
 * that returns {@code aliases}, say) fails here; {@link #aChangedFakeFieldFailsTheComparison} shows that it does.
 */
class MlflowRecordingsTest {

    @Fake
    static final MlflowFake MLFLOW = new MlflowFake();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL = "churn-model";
    /** Values that differ between any two servers: ids, paths built from ids, and wall-clock times. */
    private static final Set<String> VOLATILE = Set.of("run_id", "run_uuid", "source", "artifact_uri",
            "artifact_location", "creation_timestamp", "last_updated_timestamp", "creation_time", "last_update_time");
    /** The endpoints recorded, as the recordings' file names spell them. */
    private static final List<String> ENDPOINTS = List.of("model-versions-get", "model-versions-search",
            "registered-models-get", "runs-get", "runs-search", "experiments-get");

    private final HttpClient http = HttpClient.newHttpClient();

    static Stream<Arguments> recordedAnswers() {
        return Stream.of("mlflow-2.12", "mlflow-3.6.0").flatMap(server -> ENDPOINTS.stream()
                .map(endpoint -> Arguments.of(server, endpoint)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("recordedAnswers")
    void theFakeAnswersInTheRecordedShape(String server, String endpoint) throws Exception {
        Map<String, JsonNode> answers = replayRecordedScenario(server);

        List<String> differences = differences(recording(server, endpoint), answers.get(endpoint));

        assertThat(differences).as("%s %s: the fake's answer against the recording", server, endpoint).isEmpty();
    }

    /** Each mutation is one way a fake can be kinder or looser than the server; every one must be caught. */
    static Stream<Arguments> mutations() {
        return Stream.of(
                Arguments.of("model-versions-search", "search answers with aliases",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("model_versions").get(0)).putArray("aliases").add("champion");
                            return a;
                        }),
                Arguments.of("model-versions-get", "get answers without aliases",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("model_version")).remove("aliases");
                            return a;
                        }),
                Arguments.of("model-versions-get", "version as a number",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("model_version")).put("version", 1);
                            return a;
                        }),
                Arguments.of("model-versions-search", "run_link left out",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("model_versions").get(0)).remove("run_link");
                            return a;
                        }),
                Arguments.of("registered-models-get", "aliases as strings, as on a version",
                        (UnaryOperator<JsonNode>) a -> {
                            ObjectNode model = (ObjectNode) a.get("registered_model");
                            model.remove("aliases");
                            model.putArray("aliases").add("champion");
                            return a;
                        }),
                Arguments.of("registered-models-get", "latest_versions carrying aliases",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("registered_model").get("latest_versions").get(0))
                                    .putArray("aliases").add("champion");
                            return a;
                        }),
                Arguments.of("runs-get", "timestamp as a string",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("run").get("info")).put("start_time", "1700000000000");
                            return a;
                        }),
                Arguments.of("model-versions-get", "stage value changed",
                        (UnaryOperator<JsonNode>) a -> {
                            ((ObjectNode) a.get("model_version")).put("current_stage", "staging");
                            return a;
                        }));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mutations")
    void aChangedFakeFieldFailsTheComparison(String endpoint, String mutation, UnaryOperator<JsonNode> change)
            throws Exception {
        Map<String, JsonNode> answers = replayRecordedScenario("mlflow-3.6.0");
        assertThat(differences(recording("mlflow-3.6.0", endpoint), answers.get(endpoint))).isEmpty();

        List<String> differences = differences(recording("mlflow-3.6.0", endpoint),
                change.apply(answers.get(endpoint).deepCopy()));

        assertThat(differences).as(mutation).isNotEmpty();
    }

    /**
     * What the recordings' README says both servers do: a tag or alias set or deleted leaves the version's
     * {@code last_updated_timestamp} alone, a description edit or a stage transition moves it (and a stage transition
     * the model's too, as the recorded model's time equals its version's).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlflow-2.12", "mlflow-3.6.0"})
    void onlyDescriptionAndStageChangesMoveTheVersionsTime(String server) {
        if (server.equals("mlflow-2.12")) {
            MLFLOW.asMlflow2();
        }
        Instant start = Instant.parse("2026-11-26T19:00:00Z");
        MLFLOW.freezeClock(start);
        MLFLOW.createModelVersion(MODEL, "s3://bucket/churn/1");
        long created = versionTime();

        MLFLOW.advanceClock(Duration.ofSeconds(1));
        MLFLOW.call("POST", "model-versions/set-tag", Map.of("name", MODEL, "version", "1", "key", "k",
                "value", "v"));
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", MODEL, "alias", "champion", "version", "1"));
        MLFLOW.call("DELETE", "model-versions/delete-tag", Map.of("name", MODEL, "version", "1", "key", "k"));
        MLFLOW.call("DELETE", "registered-models/alias", Map.of("name", MODEL, "alias", "champion"));
        long afterTagsAndAliases = versionTime();
        MLFLOW.advanceClock(Duration.ofSeconds(1));
        MLFLOW.call("PATCH", "model-versions/update", Map.of("name", MODEL, "version", "1", "description", "x"));
        long afterDescription = versionTime();
        MLFLOW.advanceClock(Duration.ofSeconds(1));
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", MODEL, "version", "1",
                "stage", "Staging", "archive_existing_versions", false));
        long afterStage = versionTime();
        long modelTime = MLFLOW.call("GET", "registered-models/get", Map.of("name", MODEL))
                .get("registered_model").get("last_updated_timestamp").asLong();

        assertThat(afterTagsAndAliases).isEqualTo(created);
        assertThat(afterDescription).isEqualTo(start.plusSeconds(2).toEpochMilli());
        assertThat(afterStage).isEqualTo(start.plusSeconds(3).toEpochMilli());
        assertThat(modelTime).isEqualTo(afterStage);
    }

    private long versionTime() {
        return MLFLOW.call("GET", "model-versions/get", Map.of("name", MODEL, "version", "1"))
                .get("model_version").get("last_updated_timestamp").asLong();
    }

    // ---------------------------------------------------------------- the recorded scenario

    /**
     * The steps the recordings were made with: experiment {@code churn}, run {@code r1} (param, metric, tag),
     * registered model {@code churn-model} with description {@code d}, version 1 from the run's model, moved to
     * Staging, alias {@code champion}. Returns each endpoint's answer, read over HTTP as a client reads it.
     */
    private Map<String, JsonNode> replayRecordedScenario(String server) throws Exception {
        if (server.equals("mlflow-2.12")) {
            MLFLOW.asMlflow2();
        }
        String experimentId = MLFLOW.call("POST", "experiments/create", Map.of("name", "churn"))
                .get("experiment_id").asString();
        String runId = MLFLOW.call("POST", "runs/create", Map.of("experiment_id", experimentId, "run_name", "r1",
                "start_time", 1_700_000_000_000L, "tags", List.of(Map.of("key", "team", "value", "mlops"))))
                .get("run").get("info").get("run_id").asString();
        MLFLOW.call("POST", "runs/log-parameter", Map.of("run_id", runId, "key", "lr", "value", "0.01"));
        MLFLOW.call("POST", "runs/log-metric", Map.of("run_id", runId, "key", "auc", "value", 0.91,
                "timestamp", 1_700_000_000_001L, "step", 0));
        MLFLOW.call("POST", "runs/update", Map.of("run_id", runId, "status", "FINISHED",
                "end_time", 1_700_000_001_000L));
        MLFLOW.call("POST", "registered-models/create", Map.of("name", MODEL));
        MLFLOW.call("PATCH", "registered-models/update", Map.of("name", MODEL, "description", "d"));
        MLFLOW.call("POST", "model-versions/create", Map.of("name", MODEL, "source", "runs:/" + runId + "/model",
                "run_id", runId));
        MLFLOW.call("POST", "model-versions/transition-stage", Map.of("name", MODEL, "version", "1",
                "stage", "Staging", "archive_existing_versions", false));
        MLFLOW.call("POST", "registered-models/alias", Map.of("name", MODEL, "alias", "champion", "version", "1"));

        return Map.of(
                "model-versions-get", get("model-versions/get", "name=" + MODEL + "&version=1"),
                "model-versions-search", get("model-versions/search", "filter="
                        + URLEncoder.encode("name='" + MODEL + "'", StandardCharsets.UTF_8)),
                "registered-models-get", get("registered-models/get", "name=" + MODEL),
                "runs-get", get("runs/get", "run_id=" + runId),
                "runs-search", post("runs/search", "{\"experiment_ids\": [\"" + experimentId + "\"]}"),
                "experiments-get", get("experiments/get", "experiment_id=" + experimentId));
    }

    private JsonNode get(String endpoint, String query) throws IOException, InterruptedException {
        return answer(HttpRequest.newBuilder(URI.create(MLFLOW.baseUrl() + "/api/2.0/mlflow/" + endpoint + "?" + query))
                .GET());
    }

    private JsonNode post(String endpoint, String body) throws IOException, InterruptedException {
        return answer(HttpRequest.newBuilder(URI.create(MLFLOW.baseUrl() + "/api/2.0/mlflow/" + endpoint))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode answer(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode recording(String server, String endpoint) throws IOException {
        String resource = "/recordings/" + server + "-responses/" + endpoint + ".json";
        try (InputStream in = MlflowRecordingsTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return JSON.readTree(in);
        }
    }

    // ---------------------------------------------------------------- the comparison

    /** Every way {@code actual} differs from {@code recorded}: names, presence, types, and non-volatile values. */
    static List<String> differences(JsonNode recorded, JsonNode actual) {
        List<String> out = new ArrayList<>();
        compare("$", null, recorded, actual, out);
        return out;
    }

    private static void compare(String path, String field, JsonNode recorded, JsonNode actual, List<String> out) {
        String recordedType = type(recorded);
        String actualType = type(actual);
        if (!recordedType.equals(actualType)) {
            out.add(path + ": " + recordedType + " recorded, " + actualType + " from the fake");
            return;
        }
        if (recorded.isObject()) {
            recorded.properties().forEach(entry -> {
                JsonNode other = actual.get(entry.getKey());
                if (other == null) {
                    out.add(path + "." + entry.getKey() + ": recorded, missing from the fake");
                } else {
                    compare(path + "." + entry.getKey(), entry.getKey(), entry.getValue(), other, out);
                }
            });
            actual.properties().forEach(entry -> {
                if (recorded.get(entry.getKey()) == null) {
                    out.add(path + "." + entry.getKey() + ": not recorded, but the fake answers it ("
                            + entry.getValue() + ")");
                }
            });
        } else if (recorded.isArray()) {
            if (recorded.size() != actual.size()) {
                out.add(path + ": " + recorded.size() + " items recorded, " + actual.size() + " from the fake");
            }
            for (int i = 0; i < Math.min(recorded.size(), actual.size()); i++) {
                compare(path + "[" + i + "]", field, recorded.get(i), actual.get(i), out);
            }
        } else if (!VOLATILE.contains(field) && !recorded.equals(actual)
                && !(recorded.isNumber() && actual.isNumber() && recorded.asDouble() == actual.asDouble())) {
            out.add(path + ": " + recorded + " recorded, " + actual + " from the fake");
        }
    }

    /** The JSON type as a client parsing the answer sees it; integers and decimals are different types. */
    private static String type(JsonNode node) {
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "decimal";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
