package dev.switchboard.connector.kubeflow.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conformance.ActionTargetSuite;
import dev.switchboard.conformance.BadConfig;
import dev.switchboard.conformance.ConfigSuite;
import dev.switchboard.conformance.ConnectorHarness;
import dev.switchboard.conformance.Fake;
import dev.switchboard.conformance.ModelRegistrySuite;
import dev.switchboard.conformance.PollingEventSourceSuite;
import dev.switchboard.conformance.fakes.kubeflow.KubeflowRegistryFake;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.spi.ActionTarget;
import dev.switchboard.spi.Capability;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.Connector;
import dev.switchboard.spi.Fidelity;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * The Kubeflow Model Registry connector through every suite it claims (config, model registry, polling, actions)
 * against the kit's registry fake, with a bearer token and a user-id header required. Page size 3, so every
 * listing spans pages; after each test, no list request may have gone out without {@code pageSize}.
 */
class KubeflowRegistryConformanceTest extends ConnectorHarness implements ConfigSuite, ModelRegistrySuite,
        PollingEventSourceSuite, ActionTargetSuite {

    @Fake
    static final KubeflowRegistryFake REGISTRY = new KubeflowRegistryFake();

    static final String CONNECTION = "kf-registry-kit";
    static final String TOKEN = "sa-token-kit";
    private static final AtomicInteger CHANGES = new AtomicInteger();

    @Override
    public Connector connector() {
        return new KubeflowRegistryConnector();
    }

    @Override
    public Set<Capability> declaredCapabilities() {
        return EnumSet.of(Capability.MODEL_REGISTRY, Capability.EVENT_SOURCE, Capability.ACTION_TARGET);
    }

    @Override
    public Fidelity declaredFidelity() {
        return KubeflowRegistryConnector.FIDELITY;
    }

    @Override
    protected ConnectionConfig config() {
        REGISTRY.requireBearer(TOKEN).requireUserHeader("kubeflow-userid", "alice@example.com");
        return new ConnectionConfig(CONNECTION, KubeflowRegistryConnector.TYPE, Map.of("url",
                REGISTRY.baseUrl().toString(), "token", TOKEN, "user-id", "alice@example.com", "page-size", "3"));
    }

    @AfterEach
    void everyListSentPageSize() {
        assertThat(REGISTRY.listsWithoutPageSize()).as("list requests without pageSize").isZero();
    }

    @Override
    public List<ConnectionConfig> goodConfigs() {
        return List.of(kf(Map.of("url", "http://model-registry-service.kubeflow:8080")),
                kf(Map.of("url", "https://mr.example.com/", "token", "tok-secret", "user-id", "bob",
                        "user-id-header", "x-forwarded-user", "request-timeout", "10s", "page-size", "1000")));
    }

    @Override
    public List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.of("no URL", kf(Map.of())).expect("url", "required"),
                BadConfig.of("URL with the API path", kf(Map.of("url", "http://mr:8080/api/model_registry/v1alpha3")))
                        .expect("url", "without /api/model_registry"),
                BadConfig.of("page size too big", kf(Map.of("url", "http://mr", "page-size", "5000")))
                        .expect("page-size", "between 1 and 1000"),
                BadConfig.of("several at once", kf(Map.of("url", "mr:8080", "token", "tok-SECRET",
                                "user-id-header", "bad header", "page-size", "many", "pagesize", "3")))
                        .expect("url", "absolute http")
                        .expect("user-id-header", "header name")
                        .expect("page-size", "whole number")
                        .expect("pagesize", "not an option"));
    }

    private static ConnectionConfig kf(Map<String, String> options) {
        return new ConnectionConfig("kf-prod", KubeflowRegistryConnector.TYPE, new HashMap<>(options));
    }

    @Override
    public String makeChange() {
        String version = "v" + CHANGES.incrementAndGet();
        REGISTRY.createVersion("polled", version, "s3://models/polled/" + version);
        return "models/polled/versions/" + version;
    }

    @Override
    public ActionTarget.Request sampleAction() {
        ResourceRef source = ResourceRef.of("mlflow", "mlflow-prod", "model_version", "churn/3");
        ModelVersion version = new ModelVersion(source, "churn", "3", "from MLflow", null,
                dev.switchboard.model.ArtifactRef.of(URI.create("s3://models/churn/3")), Set.of(), null, null,
                Map.of("team", "risk"), Map.of(), Map.of("lr", "0.1"), null, null);
        CanonicalEvent event = new CanonicalEvent(UUID.randomUUID().toString(), CanonicalEvent.sourceOf("mlflow-prod"),
                EventType.MODEL_VERSION_CREATED, "models/churn/versions/3", Instant.now(), version);
        return new ActionTarget.Request(RegistryActions.REGISTER, Map.of("model", "churn-kf"), event,
                "action-" + UUID.randomUUID());
    }
}
