package dev.switchboard.connector.github;

import dev.switchboard.model.ResourceRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one connection remembers of what it dispatched, in memory and bounded: the run each idempotency key
 * started (so a retry in this process returns it) and the inputs of each run (workflow runs do not carry them,
 * so their webhooks get them from here). After a restart the memory is empty: the {@code idempotency-input} option and
 * {@code key=value} run titles cover that case.
 */
final class GitHubRuns {

    private static final int CAPACITY = 10_000;

    private final Map<String, Optional<ResourceRef>> byKey = lru();
    private final Map<String, Map<String, String>> inputsByRun = lru();

    synchronized Optional<Optional<ResourceRef>> started(String idempotencyKey) {
        return Optional.ofNullable(byKey.get(idempotencyKey));
    }

    synchronized void remember(String idempotencyKey, ResourceRef run, Map<String, String> inputs) {
        byKey.put(idempotencyKey, Optional.ofNullable(run));
        if (run != null) {
            inputsByRun.put(run.nativeId(), Map.copyOf(inputs));
        }
    }

    synchronized boolean isKnownRun(String nativeId) {
        return inputsByRun.containsKey(nativeId);
    }

    synchronized Map<String, String> inputs(String nativeId) {
        return inputsByRun.getOrDefault(nativeId, Map.of());
    }

    private static <V> Map<String, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CAPACITY;
            }
        });
    }
}
