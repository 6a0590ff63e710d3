package dev.switchboard.model;

import java.net.URI;

/**
 * A pointer to one object in one tool: which system, through which configured connection, what kind of
 * object and its native id there. The same model version in MLflow and in SageMaker has two refs, and the
 * hub's identity map links them.
 *
 * @param system     the tool type, as the connector names itself ({@code mlflow}, {@code sagemaker})
 * @param connection the configured connection the object was seen through ({@code mlflow-prod})
 * @param kind       the object kind in canonical terms ({@code model_version}, {@code run}, {@code ci_run})
 * @param nativeId   the tool's own identifier, opaque to the hub (an ARN, {@code name/version}, a run id)
 * @param url        where a person can look at the object, or {@code null} when the tool has no such page
 *
 * <p>{@link #key()} is at most {@value #MAX_KEY_LENGTH} characters and {@code kind} at most
 * {@value #MAX_KIND_LENGTH}: the identity map's columns, which hold keys and native ids.
 */
public record ResourceRef(String system, String connection, String kind, String nativeId, URI url) {

    /** The longest {@link #key()}, and so the longest native id: the identity map's key and native-id columns. */
    public static final int MAX_KEY_LENGTH = 1024;
    /** The longest {@code kind}: the identity map's kind column. */
    public static final int MAX_KIND_LENGTH = 64;

    public ResourceRef {
        Checks.requireText("system", system);
        Checks.requireText("connection", connection);
        Checks.requireText("kind", kind, MAX_KIND_LENGTH);
        Checks.requireText("nativeId", nativeId);
        int keyLength = connection.length() + kind.length() + nativeId.length() + 2;
        if (keyLength > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("nativeId must be at most " + (MAX_KEY_LENGTH - keyLength
                    + nativeId.length()) + " characters for connection " + Checks.quote(connection) + " and kind "
                    + Checks.quote(kind) + " (the key connection:kind:nativeId is at most " + MAX_KEY_LENGTH
                    + "), but was " + nativeId.length() + ": " + Checks.quote(nativeId));
        }
    }

    public static ResourceRef of(String system, String connection, String kind, String nativeId) {
        return new ResourceRef(system, connection, kind, nativeId, null);
    }

    /** A stable text form, {@code connection:kind:nativeId}, for keys and logs. */
    public String key() {
        return connection + ":" + kind + ":" + nativeId;
    }
}
