package dev.switchboard.spi;

import dev.switchboard.model.ApprovalStatus;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.model.ResourceRef;
import dev.switchboard.model.Stage;
import java.time.Instant;
import java.util.Optional;

/**
 * A model registry: registered models and their versions, with aliases, stages, approval and tags.
 *
 * <p>Reads return canonical records with {@link ResourceRef}s of this connection. Writes that create take an
 * idempotency key and are <em>create-or-get</em>: calling again with the same key (after a timeout, a crash or
 * a retry) returns the object the first call created instead of making a second one. Connectors pass the key
 * to the tool where it has one (SageMaker {@code ClientToken}) and otherwise record it on the object (a tag)
 * so {@link #findByExternalRef} can find it again.
 *
 * <p>Methods on a field the tool cannot hold (see {@link Connector#fidelity()}) throw a
 * {@link ConnectorException} of kind {@link ErrorKind#CONFIGURATION} naming the field. Missing objects are an
 * empty {@link Optional} on reads and a {@code CONFIGURATION} error on writes.
 */
public interface ModelRegistry {

    /** Lists registered models, one page at a time, in the tool's order. */
    Page<RegisteredModel> listModels(PageRequest page);

    /** Gets a registered model by name, with its aliases. */
    Optional<RegisteredModel> getModel(String name);

    /**
     * Lists model versions changed at or after {@code since} (every version when {@code null}), across all
     * models or one, one page at a time. Used by pollers and sync jobs; the tool's own clock decides "changed".
     *
     * @param modelName the model to list, or {@code null} for every model
     * @param since     the lower bound on the last-update time, inclusive, or {@code null}
     */
    Page<ModelVersion> listVersions(String modelName, Instant since, PageRequest page);

    /** Gets one version; the version is the tool's string ({@code "3"}). */
    Optional<ModelVersion> getVersion(String modelName, String version);

    /** Gets the version an alias points at, for registries with aliases. */
    Optional<ModelVersion> getVersionByAlias(String modelName, String alias);

    /**
     * Creates a registered model, or returns the existing one of that name (create-or-get).
     *
     * @param model          the model to create; its {@code ref} is ignored (the tool assigns one)
     * @param idempotencyKey stable across retries of the same logical create
     */
    RegisteredModel createModel(RegisteredModel model, String idempotencyKey);

    /**
     * Creates a model version, or returns the one an earlier call with the same {@code idempotencyKey}
     * created. Creates the registered model first when the tool requires it and it is missing.
     *
     * @param version        the version to create; {@code ref} and {@code version} are ignored where the tool
     *                       numbers versions itself
     * @param idempotencyKey stable across retries of the same logical create
     */
    ModelVersion createVersion(ModelVersion version, String idempotencyKey);

    /** Updates a version's description. */
    ModelVersion updateDescription(String modelName, String version, String description);

    /** Points {@code alias} at {@code version}, moving it if it pointed elsewhere. */
    void setAlias(String modelName, String alias, String version);

    /** Removes {@code alias} from the model; removing a missing alias is not an error. */
    void deleteAlias(String modelName, String alias);

    /** Moves a version to a stage, for registries with stages. */
    ModelVersion transitionStage(String modelName, String version, Stage stage);

    /** Sets a version's approval status, for registries with approval. */
    ModelVersion setApproval(String modelName, String version, ApprovalStatus status);

    /** Sets (or overwrites) a tag on a registered model. */
    void setModelTag(String modelName, String key, String value);

    /** Sets (or overwrites) a tag on a model version. */
    void setVersionTag(String modelName, String version, String key, String value);

    /** Removes a tag from a model version; removing a missing tag is not an error. */
    void deleteVersionTag(String modelName, String version, String key);

    /**
     * Finds the version that was created from {@code source} (in another tool) or with the idempotency key
     * {@code source.key()}, using whatever the connector recorded at create time.
     */
    Optional<ModelVersion> findByExternalRef(String modelName, ResourceRef source);

    /**
     * Why {@link #createVersion} would refuse {@code version} for a reason known without calling the tool (a
     * missing option, say), or empty. A sync's {@code plan} reports it as the failure {@code apply} would meet, and
     * {@code apply} checks it before copying an artifact that would be left orphaned. Reads nothing.
     */
    default Optional<String> refusesCreate(ModelVersion version) {
        return Optional.empty();
    }

    /**
     * Whether {@link #listVersions} with a {@code since} sees tag changes, because they move a version's update time.
     * MLflow's do not (2.12 and 3.6 alike): a sync then re-reads the whole listing in incremental runs to carry them.
     */
    default boolean listsTagChangesSince() {
        return true;
    }
}
