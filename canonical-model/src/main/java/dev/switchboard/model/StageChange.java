package dev.switchboard.model;

/**
 * A model version moved from one stage to another.
 *
 * @param modelName the registered model's name
 * @param version   the version
 * @param from      the previous stage, or {@code null} when the source does not say
 * @param to        the new stage
 * @param target    where the version lives
 */
public record StageChange(String modelName, String version, Stage from, Stage to, ResourceRef target)
        implements EventData {

    public StageChange {
        Checks.requireText("modelName", modelName);
        Checks.requireText("version", version);
        Checks.requireNonNull("to", to);
        Checks.requireNonNull("target", target);
    }
}
