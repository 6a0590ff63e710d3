package dev.switchboard.model;

/**
 * A tag on a model version was set or deleted.
 *
 * @param modelName the registered model's name
 * @param version   the version
 * @param key       the tag's key
 * @param value     the new value; {@code null} when the tag was deleted
 * @param target    where the version lives
 */
public record TagChange(String modelName, String version, String key, String value, ResourceRef target)
        implements EventData {

    public TagChange {
        Checks.requireText("modelName", modelName);
        Checks.requireText("version", version);
        Checks.requireText("key", key);
        Checks.text("value", value);
        Checks.requireNonNull("target", target);
    }
}
