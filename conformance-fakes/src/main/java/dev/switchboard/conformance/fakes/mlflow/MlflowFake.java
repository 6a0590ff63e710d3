package dev.switchboard.conformance.fakes.mlflow;


import dev.switchboard.conformance.fakes.WireMockFake;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stateful fake of an MLflow 3 tracking server and model registry, on WireMock at a loopback port; or of an
 * MLflow 2.x server, without webhooks ({@link #asMlflow2}).
 *
 * <p>Objects created through its REST API can be read back and are listed with MLflow's real paging and limits;
 * errors come back in MLflow's exact shape and status (see {@link MlflowApi}). It can require credentials,
 * inject {@linkplain #faults() faults}, freeze and move its clock, and send MLflow's webhooks, signed as MLflow
 * signs them, for every registry change (or lose them, as fire-and-forget delivery does).
 *
 * <p>In a JUnit test, the kit's {@code @Fake} starts it once per class and resets its state before each test:
 * <pre>{@code
 * @Fake
 * static final MlflowFake MLFLOW = new MlflowFake();
 * }</pre>
 */
public final class MlflowFake extends WireMockFake<MlflowFake> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AtomicReference<Instant> frozenAt = new AtomicReference<>();
    private final List<MlflowWebhookSender.Delivery> queued = new ArrayList<>();
    private final List<MlflowWebhookSender.Delivery> sent = new ArrayList<>();
    private final List<MlflowWebhookSender.Delivery> lost = new ArrayList<>();
    private volatile String expectedAuthorization;
    private volatile URI webhookUrl;
    private volatile MlflowWebhookSender webhookSender;
    private volatile boolean losingWebhooks;
    private volatile boolean version2;
    private final MlflowApi api = new MlflowApi(this); // last: its constructor reads the clock above

    @Override
    protected com.github.tomakehurst.wiremock.extension.Extension api() {
        return api;
    }

    @Override
    protected synchronized void resetState() {
        frozenAt.set(null);
        api.reset();
        expectedAuthorization = null;
        webhookUrl = null;
        webhookSender = null;
        losingWebhooks = false;
        version2 = false;
        synchronized (queued) {
            queued.clear();
            sent.clear();
            lost.clear();
        }
    }

    /** The tracking URL to configure a connection with ({@code http://127.0.0.1:<port>}). */
    public URI baseUrl() {
        return loopbackUri();
    }

    // ---------------------------------------------------------------- auth and clock

    /** From now on only requests with {@code Authorization: Bearer <token>} are answered; others get 401. */
    public MlflowFake requireBearer(String token) {
        expectedAuthorization = "Bearer " + token;
        return this;
    }

    /** From now on only requests with basic auth of this user and password are answered. */
    public MlflowFake requireBasic(String username, String password) {
        expectedAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    boolean acceptsAuthorization(String authorization) {
        String expected = expectedAuthorization;
        return expected == null || expected.equals(authorization);
    }

    /** Stops the clock: every change gets this timestamp until {@link #advanceClock} or {@link #unfreezeClock}. */
    public MlflowFake freezeClock(Instant at) {
        frozenAt.set(at);
        return this;
    }

    /** Moves a frozen clock forward. */
    public MlflowFake advanceClock(java.time.Duration by) {
        frozenAt.updateAndGet(at -> (at == null ? Instant.now() : at).plus(by));
        return this;
    }

    public MlflowFake unfreezeClock() {
        frozenAt.set(null);
        return this;
    }

    /** The fake server's clock, as the {@code *_timestamp} fields show it. */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                Instant frozen = frozenAt.get();
                return frozen != null ? frozen : Instant.now();
            }
        };
    }

    long nowMillis() {
        return clock().millis();
    }

    // ---------------------------------------------------------------- server version

    /**
     * From now on (until the next test) behaves as an MLflow 2.x server: it has no webhooks (OSS MLflow gained them
     * in 3.3), so the webhook API under {@code /api/2.0/mlflow/webhooks} answers Flask's plain 404 page,
     * {@link #registerWebhook} is refused and no change sends one. A hub learns of changes only by polling.
     */
    public MlflowFake asMlflow2() {
        version2 = true;
        webhookUrl = null;
        webhookSender = null;
        return this;
    }

    /** Whether the fake plays MLflow 2.x ({@link #asMlflow2}). */
    public boolean isMlflow2() {
        return version2;
    }

    // ---------------------------------------------------------------- webhooks

    /**
     * Registers a webhook for every model-registry event, as {@code POST /api/2.0/mlflow/webhooks} would.
     *
     * @param url    where deliveries are POSTed, or {@code null} to only record them ({@link #sentWebhooks()})
     * @param secret the webhook's secret, or {@code null} for unsigned deliveries
     */
    public MlflowFake registerWebhook(URI url, String secret) {
        if (version2) {
            throw new IllegalStateException("MLflow 2.x has no webhooks: POST /api/2.0/mlflow/webhooks answers 404 "
                    + "(OSS MLflow gained webhooks in 3.3); the hub must poll this server");
        }
        webhookUrl = url;
        webhookSender = new MlflowWebhookSender(secret, clock());
        return this;
    }

    /** While {@code true}, deliveries are dropped as a failed fire-and-forget delivery would be. */
    public MlflowFake loseWebhooks(boolean lose) {
        losingWebhooks = lose;
        return this;
    }

    /** The deliveries sent (or recorded) so far, oldest first. */
    public List<MlflowWebhookSender.Delivery> sentWebhooks() {
        synchronized (queued) {
            return List.copyOf(sent);
        }
    }

    /** The deliveries lost while {@link #loseWebhooks} was on. */
    public List<MlflowWebhookSender.Delivery> lostWebhooks() {
        synchronized (queued) {
            return List.copyOf(lost);
        }
    }

    /** The sender the registered webhook signs with, to build deliveries by hand. */
    public MlflowWebhookSender webhookSender() {
        return webhookSender;
    }

    void emitWebhook(String entity, String action, Map<String, Object> data) {
        MlflowWebhookSender sender = webhookSender;
        if (sender == null || version2) {
            return;
        }
        MlflowWebhookSender.Delivery delivery = sender.delivery(entity, action, data);
        synchronized (queued) {
            (losingWebhooks ? lost : queued).add(delivery);
        }
    }

    /** Sends what the last request queued, outside the API's lock (the receiver may call back). */
    void flushWebhooks() {
        List<MlflowWebhookSender.Delivery> batch;
        synchronized (queued) {
            batch = List.copyOf(queued);
            queued.clear();
            sent.addAll(batch);
        }
        URI url = webhookUrl;
        if (url != null) {
            batch.forEach(delivery -> MlflowWebhookSender.post(url, delivery));
        }
    }

    // ---------------------------------------------------------------- seeding

    /**
     * Calls an endpoint directly, as another client of the same server would (no HTTP, no auth, no faults);
     * registry changes fire webhooks as usual.
     *
     * @param method   {@code GET}, {@code POST}, {@code PATCH} or {@code DELETE}
     * @param endpoint the path after {@code /api/2.0/mlflow/} ({@code model-versions/create})
     * @param body     the JSON body (for GET: the query parameters)
     * @return the response body
     * @throws IllegalStateException with MLflow's error when the call fails
     */
    public JsonNode call(String method, String endpoint, Map<String, ?> body) {
        MlflowApi.Response response;
        if (method.equals("GET")) {
            StringBuilder query = new StringBuilder();
            body.forEach((key, value) -> query.append(query.isEmpty() ? "" : "&").append(key).append('=')
                    .append(java.net.URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8)));
            response = api.handle(method, MlflowApi.API + endpoint, query.toString(), null, null);
        } else {
            response = api.handle(method, MlflowApi.API + endpoint, null, "application/json",
                    JSON.writeValueAsBytes(body));
        }
        flushWebhooks();
        if (response.status() != 200) {
            throw new IllegalStateException(method + " " + endpoint + " answered " + response.status() + ": "
                    + response.bodyText());
        }
        return JSON.readTree(response.body());
    }

    /** Creates a version (and its model, if missing) as another MLflow user would; returns its version string. */
    public String createModelVersion(String name, String source) {
        try {
            call("POST", "registered-models/create", Map.of("name", name));
        } catch (IllegalStateException alreadyExists) {
            // create-or-get, like MLflow's own client
        }
        return call("POST", "model-versions/create", Map.of("name", name, "source", source))
                .get("model_version").get("version").asString();
    }

    /** Creates a finished run with params and metrics in experiment {@code 0}; returns its run id. */
    public String createRun(String name, Map<String, String> params, Map<String, Double> metrics) {
        String runId = call("POST", "runs/create", Map.of("experiment_id", "0", "run_name", name,
                "start_time", nowMillis())).get("run").get("info").get("run_id").asString();
        params.forEach((key, value) -> call("POST", "runs/log-parameter", Map.of("run_id", runId, "key", key,
                "value", value)));
        metrics.forEach((key, value) -> call("POST", "runs/log-metric", Map.of("run_id", runId, "key", key,
                "value", value, "timestamp", nowMillis())));
        call("POST", "runs/update", Map.of("run_id", runId, "status", "FINISHED", "end_time", nowMillis()));
        return runId;
    }

    /**
     * Logs a model directory in a run, as {@code mlflow.<flavor>.log_model(..., artifact_path=path)} does: every
     * file under {@code <run artifact_uri>/<path>/}. Returns the version source MLflow 2 registers,
     * {@code runs:/<run id>/<path>}.
     */
    public String logRunModel(String runId, String path, Map<String, byte[]> files) {
        String artifactUri = call("GET", "runs/get", Map.of("run_id", runId)).get("run").get("info")
                .get("artifact_uri").asString();
        files.forEach((file, bytes) -> putArtifact(proxyPath(artifactUri) + "/" + path + "/" + file, bytes));
        return "runs:/" + runId + "/" + path;
    }

    /**
     * MLflow 3: logs a model (a {@code LoggedModel} with id {@code m-<hex>}) from a run, its files under the logged
     * model's own {@code artifact_uri}. Returns the id; register it with {@link #registerLoggedModel}.
     */
    public String logModel(String runId, String name, Map<String, byte[]> files) {
        if (version2) {
            throw new IllegalStateException("MLflow 2.x has no logged models; use logRunModel");
        }
        String experimentId = call("GET", "runs/get", Map.of("run_id", runId)).get("run").get("info")
                .get("experiment_id").asString();
        JsonNode info = call("POST", MlflowApi.LOGGED_MODELS, Map.of("experiment_id", experimentId, "name", name,
                "source_run_id", runId)).get("model").get("info");
        String artifactUri = info.get("artifact_uri").asString();
        files.forEach((file, bytes) -> putArtifact(proxyPath(artifactUri) + "/" + file, bytes));
        return info.get("model_id").asString();
    }

    /** Registers a logged model as MLflow 3 does: {@code source = models:/<model id>}, {@code model_id} set. */
    public String registerLoggedModel(String name, String modelId) {
        try {
            call("POST", "registered-models/create", Map.of("name", name));
        } catch (IllegalStateException alreadyExists) {
            // create-or-get
        }
        return call("POST", "model-versions/create", Map.of("name", name, "source", "models:/" + modelId,
                "model_id", modelId)).get("model_version").get("version").asString();
    }

    /** The files {@code mlflow.sklearn.log_model} writes for a model, with a distinct pickle per {@code seed}. */
    public static Map<String, byte[]> sklearnModelFiles(String seed) {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("MLmodel", ("artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
                + "    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\nmlflow_version: 3.6.0\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put("model.pkl", ("pickle of " + seed).repeat(64).getBytes(StandardCharsets.UTF_8));
        files.put("conda.yaml", "name: mlflow-env\ndependencies:\n- python=3.11\n".getBytes(StandardCharsets.UTF_8));
        files.put("python_env.yaml", "python: 3.11\n".getBytes(StandardCharsets.UTF_8));
        files.put("requirements.txt", "mlflow==3.6.0\nscikit-learn==1.5.2\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private static String proxyPath(String artifactUri) {
        if (!artifactUri.startsWith("mlflow-artifacts:/")) {
            throw new IllegalStateException("not served by the artifact proxy: " + artifactUri);
        }
        return artifactUri.substring("mlflow-artifacts:/".length()).replaceFirst("^/+", "");
    }

    /** Stores an artifact at a path under the artifact proxy. */
    public void putArtifact(String path, byte[] content) {
        api.handle("PUT", MlflowApi.ARTIFACTS + "/" + path, null, "application/octet-stream", content);
    }
}
