package dev.switchboard.model;

/**
 * An alias was pointed at a version, or removed from the model.
 *
 * @param modelName the registered model's name
 * @param alias     the alias ({@code champion})
 * @param version   the version it now points at; {@code null} when the alias was deleted
 * @param model     where the model lives
 */
public record AliasChange(String modelName, String alias, String version, ResourceRef model) implements EventData {

    public AliasChange {
        Checks.requireText("modelName", modelName);
        Checks.requireText("alias", alias);
        Checks.text("version", version);
        Checks.requireNonNull("model", model);
    }
}
