package dev.switchboard.model;

/**
 * A model version's approval status changed.
 *
 * @param modelName the registered model's name (a SageMaker model package group)
 * @param version   the version
 * @param from      the previous status, or {@code null} when the source does not say
 * @param to        the new status
 * @param target    where the version lives
 */
public record ApprovalChange(String modelName, String version, ApprovalStatus from, ApprovalStatus to,
                             ResourceRef target) implements EventData {

    public ApprovalChange {
        Checks.requireText("modelName", modelName);
        Checks.requireText("version", version);
        Checks.requireNonNull("to", to);
        Checks.requireNonNull("target", target);
    }
}
