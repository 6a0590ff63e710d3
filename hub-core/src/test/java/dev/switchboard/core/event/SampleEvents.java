package dev.switchboard.core.event;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.ApprovalChange;
import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.CiRun;
import dev.switchboard.model.DataVersion;
import dev.switchboard.model.Digest;
import dev.switchboard.model.EventData;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.PipelineRun;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Run;
import dev.switchboard.model.RunStatus;
import dev.switchboard.model.Stage;
import dev.switchboard.model.StageChange;
import dev.switchboard.model.SyncCompleted;
import dev.switchboard.model.TagChange;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Realistic canonical events of every type, for tests here and in later modules (the hub-core test jar).
 * The switches are exhaustive, so a new {@link EventType} does not compile until it has samples.
 */
public final class SampleEvents {

    public static final Instant CREATED = Instant.parse("2024-05-01T10:15:30.123456Z");
    public static final Instant UPDATED = Instant.parse("2024-05-02T08:00:00Z");
    public static final Instant STARTED = Instant.parse("2024-05-01T09:00:00Z");
    public static final Instant ENDED = Instant.parse("2024-05-01T09:42:17.5Z");

    private static final ResourceRef MODEL = new ResourceRef("mlflow", "mlflow-prod", "registered_model", "churn",
            URI.create("https://mlflow.example.com/#/models/churn"));
    private static final ResourceRef VERSION = new ResourceRef("mlflow", "mlflow-prod", "model_version", "churn/3",
            URI.create("https://mlflow.example.com/#/models/churn/versions/3"));
    private static final ResourceRef RUN = new ResourceRef("mlflow", "mlflow-prod", "run",
            "5f0c8e2d9a7b4c1e8f3a6b2d1c0e9f87", URI.create("https://mlflow.example.com/#/experiments/7/runs/5f0c8e2d"));
    private static final ResourceRef PACKAGE = new ResourceRef("sagemaker", "sagemaker-prod", "model_version",
            "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/12",
            URI.create("https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/model-registry"));
    private static final ResourceRef PIPELINE_RUN = new ResourceRef("kubeflow", "kfp-prod", "pipeline_run",
            "8d3f6a1c-2b4e-4f7a-9c0d-1e2f3a4b5c6d", URI.create("https://kfp.example.com/#/runs/details/8d3f6a1c"));
    private static final ResourceRef CI_RUN = new ResourceRef("github", "github-deploy", "ci_run", "9012345678",
            URI.create("https://github.com/acme/churn-model/actions/runs/9012345678"));
    private static final ResourceRef DATA = new ResourceRef("dvc", "dvc-data", "data_version",
            "acme/churn-data:data/train.csv.dvc@9f2c1e7", URI.create("https://github.com/acme/churn-data/blob/9f2c1e7/data/train.csv.dvc"));
    private static final String SHA256 = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";

    private SampleEvents() {
    }

    /** A fully populated event of the type and a sparse one (optional fields null, collections empty). */
    public static List<CanonicalEvent> of(EventType type) {
        return List.of(full(type), sparse(type));
    }

    /** An event of the type with every field set, as a tool that knows everything would send it. */
    public static CanonicalEvent full(EventType type) {
        return switch (type) {
            case REGISTERED_MODEL_CREATED -> event(type, "mlflow-prod", "models/churn",
                    new RegisteredModel(MODEL, "churn", "Predicts customer churn from usage data",
                            Map.of("team", "growth", "domain", "retention"), Map.of("champion", "3", "challenger", "4"),
                            CREATED, UPDATED));
            case MODEL_VERSION_CREATED, MODEL_VERSION_UPDATED -> event(type, "mlflow-prod", "models/churn/versions/3",
                    fullModelVersion());
            case MODEL_VERSION_ALIAS_SET -> event(type, "mlflow-prod", "models/churn",
                    new AliasChange("churn", "champion", "3", MODEL));
            case MODEL_VERSION_ALIAS_DELETED -> event(type, "mlflow-prod", "models/churn",
                    new AliasChange("churn", "challenger", "4", MODEL));
            case MODEL_VERSION_TAG_SET, MODEL_VERSION_TAG_DELETED -> event(type, "mlflow-prod",
                    "models/churn/versions/3", new TagChange("churn", "3", "validation_status", "passed", VERSION));
            case MODEL_VERSION_STAGE_CHANGED -> event(type, "mlflow-prod", "models/churn/versions/3",
                    new StageChange("churn", "3", Stage.STAGING, Stage.PRODUCTION, VERSION));
            case MODEL_VERSION_APPROVAL_CHANGED -> event(type, "sagemaker-prod", "models/churn/versions/12",
                    new ApprovalChange("churn", "12", ApprovalStatus.PENDING, ApprovalStatus.APPROVED, PACKAGE));
            case RUN_FINISHED -> event(type, "mlflow-prod", "runs/5f0c8e2d9a7b4c1e8f3a6b2d1c0e9f87",
                    new Run(RUN, "7", "bold-panda-42", RunStatus.SUCCEEDED, STARTED, ENDED,
                            Map.of("learning_rate", "0.01", "max_depth", "6"),
                            Map.of("auc", 0.912, "f1", 0.87, "log_loss", 0.2314),
                            Map.of("mlflow.user", "alice", "git_commit", "1c2d3e4"),
                            URI.create("mlflow-artifacts:/7/5f0c8e2d9a7b4c1e8f3a6b2d1c0e9f87/artifacts")));
            case PIPELINE_RUN_FINISHED -> event(type, "kfp-prod", "pipeline-runs/8d3f6a1c",
                    new PipelineRun(PIPELINE_RUN, "train-churn", "train-churn-2024-05-01", RunStatus.SUCCEEDED,
                            STARTED, ENDED, Map.of("epochs", "20", "dataset", "s3://acme-data/churn/train.csv"),
                            "e15dc3ec-2b4f-4e4a-9d43-0b1c7e3f8a21"));
            case CI_RUN_STARTED -> event(type, "github-deploy", "ci-runs/9012345678",
                    ciRun(RunStatus.RUNNING, null));
            case CI_RUN_FINISHED -> event(type, "github-deploy", "ci-runs/9012345678",
                    ciRun(RunStatus.SUCCEEDED, ENDED));
            case DATA_VERSION_CREATED -> event(type, "dvc-data", "data/train.csv",
                    new DataVersion(DATA, "data/train.csv", "9f2c1e7",
                            new ArtifactRef(URI.create("s3://acme-dvc-cache/files/md5/d4/1d8cd98f00b204e9800998ecf8427e"),
                                    1_048_576L, new Digest(Digest.Algorithm.MD5, "d41d8cd98f00b204e9800998ecf8427e"),
                                    "text/csv"),
                            CREATED));
            case SYNC_COMPLETED -> event(type, "hub", "sync-jobs/mlflow-to-sagemaker",
                    new SyncCompleted("mlflow-to-sagemaker", "20240501T101530Z-7f3a", 3, 1, 40, 2, 1));
        };
    }

    /** An event of the type with every optional field {@code null} and every collection empty. */
    public static CanonicalEvent sparse(EventType type) {
        ResourceRef model = ResourceRef.of("mlflow", "mlflow-dev", "registered_model", "churn");
        ResourceRef version = ResourceRef.of("mlflow", "mlflow-dev", "model_version", "churn/1");
        EventData data = switch (type) {
            case REGISTERED_MODEL_CREATED -> new RegisteredModel(model, "churn", null, null, null, null, null);
            case MODEL_VERSION_CREATED, MODEL_VERSION_UPDATED -> sparseModelVersion();
            case MODEL_VERSION_ALIAS_SET -> new AliasChange("churn", "champion", "1", model);
            case MODEL_VERSION_ALIAS_DELETED -> new AliasChange("churn", "champion", null, model);
            case MODEL_VERSION_TAG_SET -> new TagChange("churn", "1", "reviewed", "", version);
            case MODEL_VERSION_TAG_DELETED -> new TagChange("churn", "1", "reviewed", null, version);
            case MODEL_VERSION_STAGE_CHANGED -> new StageChange("churn", "1", null, Stage.ARCHIVED, version);
            case MODEL_VERSION_APPROVAL_CHANGED -> new ApprovalChange("churn", "1", null, ApprovalStatus.REJECTED, version);
            case RUN_FINISHED -> new Run(ResourceRef.of("mlflow", "mlflow-dev", "run", "r1"), "0", null,
                    RunStatus.FAILED, null, null, null, null, null, null);
            case PIPELINE_RUN_FINISHED -> new PipelineRun(ResourceRef.of("kubeflow", "kfp-dev", "pipeline_run", "p1"),
                    "train-churn", null, RunStatus.CANCELLED, null, null, null);
            case CI_RUN_STARTED -> new CiRun(ResourceRef.of("jenkins", "jenkins", "ci_run", "deploy/17"), "deploy",
                    null, null, null, RunStatus.QUEUED, null, null, null);
            case CI_RUN_FINISHED -> new CiRun(ResourceRef.of("jenkins", "jenkins", "ci_run", "deploy/17"), "deploy",
                    null, null, null, RunStatus.ERRORED, null, null, null);
            case DATA_VERSION_CREATED -> new DataVersion(ResourceRef.of("dvc", "dvc-data", "data_version", "d1"),
                    "data/train.csv", "1", ArtifactRef.of(URI.create("file:/srv/data/train.csv")), null);
            case SYNC_COMPLETED -> new SyncCompleted("nightly", "r1", 0, 0, 0, 0, 0);
        };
        return new CanonicalEvent(id(type, "sparse"), CanonicalEvent.sourceOf("dev"), type, "objects/1", UPDATED, data);
    }

    /** A model version with every field set. */
    public static ModelVersion fullModelVersion() {
        return new ModelVersion(VERSION, "churn", "3", "Gradient-boosted trees, retrained on May data", RUN,
                new ArtifactRef(URI.create("mlflow-artifacts:/7/5f0c8e2d9a7b4c1e8f3a6b2d1c0e9f87/artifacts/model"),
                        52_428_800L, Digest.sha256(SHA256), "application/octet-stream"),
                Set.of("champion", "prod-eu"), Stage.PRODUCTION, ApprovalStatus.APPROVED,
                Map.of("validation_status", "passed", "owner", "alice"),
                Map.of("auc", 0.912, "f1", 0.87, "rows", 120_000.0),
                Map.of("learning_rate", "0.01", "max_depth", "6"),
                CREATED, UPDATED);
    }

    /** A model version as a tool that knows only the essentials would report it. */
    public static ModelVersion sparseModelVersion() {
        return new ModelVersion(ResourceRef.of("mlflow", "mlflow-dev", "model_version", "churn/1"), "churn", "1",
                null, null, null, null, null, null, null, null, null, null, null);
    }

    private static CiRun ciRun(RunStatus status, Instant endTime) {
        return new CiRun(CI_RUN, "deploy.yml", "acme/churn-model", "refs/heads/main",
                "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d", status, STARTED, endTime,
                Map.of("model_name", "churn", "model_version", "3"));
    }

    private static CanonicalEvent event(EventType type, String connection, String subject, EventData data) {
        return new CanonicalEvent(id(type, "full"), CanonicalEvent.sourceOf(connection), type, subject, CREATED, data);
    }

    private static String id(EventType type, String variant) {
        return UUID.nameUUIDFromBytes((type + "/" + variant).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
