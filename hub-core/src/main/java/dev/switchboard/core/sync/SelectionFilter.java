package dev.switchboard.core.sync;

import dev.switchboard.core.config.ModelGlob;
import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.model.ModelVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** A job's {@link SyncJobSpec.Selection}, compiled: says why a version is not selected. */
final class SelectionFilter {

    private final SyncJobSpec.Selection selection;
    private final List<ModelGlob> models;

    SelectionFilter(SyncJobSpec.Selection selection) {
        this.selection = selection;
        this.models = selection.models().stream().map(ModelGlob::compile).toList();
    }

    /** Whether versions of {@code modelName} can be selected at all. */
    boolean selectsModel(String modelName) {
        return models.isEmpty() || models.stream().anyMatch(glob -> glob.matches(modelName));
    }

    /** Why {@code version} is not selected, or empty when it is. */
    Optional<String> rejects(ModelVersion version) {
        if (!selectsModel(version.modelName())) {
            return Optional.of(SyncOutcome.NOT_SELECTED + "model " + version.modelName() + " matches none of "
                    + models);
        }
        if (!selection.aliases().isEmpty() && selection.aliases().stream().noneMatch(version.aliases()::contains)) {
            return Optional.of(SyncOutcome.NOT_SELECTED + "has none of the aliases "
                    + new TreeSet<>(selection.aliases()));
        }
        if (!selection.stages().isEmpty() && !selection.stages().contains(version.stage())) {
            return Optional.of(SyncOutcome.NOT_SELECTED + "stage " + version.stage() + " is not one of "
                    + new TreeSet<>(selection.stages()));
        }
        for (Map.Entry<String, String> tag : selection.tags().entrySet()) {
            String value = version.tags().get(tag.getKey());
            if (value == null || !(tag.getValue().equals("*") || tag.getValue().equals(value))) {
                return Optional.of(SyncOutcome.NOT_SELECTED + "lacks tag " + tag.getKey()
                        + (tag.getValue().equals("*") ? "" : "=" + tag.getValue()));
            }
        }
        return Optional.empty();
    }
}
