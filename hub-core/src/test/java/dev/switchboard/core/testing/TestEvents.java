package dev.switchboard.core.testing;

import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ResourceRef;
import java.time.Instant;

/** Canonical events for tests. */
public final class TestEvents {

    private TestEvents() {
    }

    /** {@code model_version.alias_set} from {@code connection}: {@code alias} now points at {@code model/version}. */
    public static CanonicalEvent aliasSet(String connection, String id, String model, String version, String alias) {
        ResourceRef ref = ResourceRef.of("mlflow", connection, "registered_model", model);
        return new CanonicalEvent(id, CanonicalEvent.sourceOf(connection), EventType.MODEL_VERSION_ALIAS_SET,
                "models/" + model + "/versions/" + version, Instant.parse("2026-11-26T10:15:30Z"),
                new AliasChange(model, alias, version, ref));
    }
}
