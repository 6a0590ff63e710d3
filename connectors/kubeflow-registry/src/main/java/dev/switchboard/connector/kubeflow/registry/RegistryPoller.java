package dev.switchboard.connector.kubeflow.registry;

import static dev.switchboard.connector.kubeflow.common.KubeflowClient.query;

import dev.switchboard.connector.kubeflow.common.KubeflowClient;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.ModelVersion;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource.PollResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Finds model-version changes (the registry has no webhooks) with {@code GET /model_versions
 * ?orderBy=LAST_UPDATE_TIME&sortOrder=DESC&pageSize=…}, newest first, page by page until a page reaches versions
 * older than the cursor.
 *
 * <p>The cursor is {@code kfmr1:<millis>:<hashes>}: the newest {@code lastUpdateTimeSinceEpoch} reported and a short
 * hash of every {@code (id, lastUpdateTime)} already reported at exactly that millisecond, so several changes in
 * one millisecond are neither repeated nor skipped. Event ids derive from the same pair.
 */
final class RegistryPoller {

    private static final String VERSION = "kfmr1";

    private final String connection;
    private final KubeflowClient client;
    private final KubeflowModelRegistry registry;
    private final int pageSize;
    private final URI source;

    RegistryPoller(String connection, KubeflowClient client, KubeflowModelRegistry registry, int pageSize) {
        this.connection = connection;
        this.client = client;
        this.registry = registry;
        this.pageSize = pageSize;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    PollResult poll(String cursorText) {
        if (cursorText == null) {
            JsonNode newest = client.get("/model_versions", query("pageSize", 1, "orderBy", "LAST_UPDATE_TIME",
                    "sortOrder", "DESC")).path("items");
            if (newest.isEmpty()) {
                return new PollResult(List.of(), new Cursor(0, Set.of()).toString());
            }
            long at = RegistryMapper.millisOf(newest.get(0));
            Cursor start = new Cursor(at, Set.of());
            return new PollResult(List.of(), start.advancedBy(changedSince(start)).toString());
        }
        Cursor cursor = Cursor.parse(connection, cursorText);
        List<JsonNode> changed = changedSince(cursor);
        changed.sort(Comparator.comparingLong(RegistryMapper::millisOf)
                .thenComparingLong(mv -> Long.parseLong(mv.path("id").asString("0"))));
        Map<String, JsonNode> models = new HashMap<>();
        List<CanonicalEvent> events = new ArrayList<>();
        for (JsonNode mv : changed) {
            JsonNode rm = models.computeIfAbsent(mv.path("registeredModelId").asString(), registry::modelById);
            ModelVersion version = registry.full(mv, rm);
            boolean created = mv.path("createTimeSinceEpoch").asString("")
                    .equals(mv.path("lastUpdateTimeSinceEpoch").asString());
            events.add(new CanonicalEvent(eventId(mv), source,
                    created ? EventType.MODEL_VERSION_CREATED : EventType.MODEL_VERSION_UPDATED,
                    subject(version.modelName(), version.version()),
                    Instant.ofEpochMilli(RegistryMapper.millisOf(mv)), version));
        }
        return new PollResult(events, cursor.advancedBy(changed).toString());
    }

    static String subject(String model, String version) {
        return "models/" + model + "/versions/" + version;
    }

    private List<JsonNode> changedSince(Cursor cursor) {
        List<JsonNode> changed = new ArrayList<>();
        Set<String> inThisPoll = new TreeSet<>();
        String token = null;
        do {
            JsonNode page = client.get("/model_versions", query("pageSize", pageSize, "orderBy", "LAST_UPDATE_TIME",
                    "sortOrder", "DESC", "nextPageToken", token));
            boolean reachedOlder = false;
            for (JsonNode mv : page.path("items")) {
                long updated = RegistryMapper.millisOf(mv);
                if (updated < cursor.millis) {
                    reachedOlder = true;
                } else if (!(updated == cursor.millis && cursor.seen.contains(hash(mv))) && inThisPoll.add(hash(mv))) {
                    changed.add(mv);
                }
            }
            String next = page.path("nextPageToken").asString("");
            token = reachedOlder || next.isEmpty() ? null : next;
        } while (token != null);
        return changed;
    }

    static String eventId(JsonNode mv) {
        return "poll:model_version/" + mv.path("id").asString() + "@" + mv.path("lastUpdateTimeSinceEpoch").asString();
    }

    static String hash(JsonNode mv) {
        String key = mv.path("id").asString() + '\u0000' + mv.path("lastUpdateTimeSinceEpoch").asString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    record Cursor(long millis, Set<String> seen) {

        Cursor {
            seen = Set.copyOf(seen);
        }

        static Cursor parse(String connection, String text) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length != 3 || !parts[0].equals(VERSION)) {
                    throw new IllegalArgumentException(text);
                }
                return new Cursor(Long.parseLong(parts[1]), parts[2].isEmpty() ? Set.of() : Set.of(parts[2].split(",")));
            } catch (IllegalArgumentException e) {
                throw ConnectorException.configuration(connection, "poll cursor \"" + text
                        + "\" was not written by the Kubeflow Model Registry connector (expected "
                        + VERSION + ":<millis>:<hashes>)");
            }
        }

        Cursor advancedBy(List<JsonNode> reported) {
            long newest = reported.stream().mapToLong(RegistryMapper::millisOf).max().orElse(millis);
            Set<String> seenAtNewest = new TreeSet<>(newest == millis ? seen : Set.of());
            reported.stream().filter(mv -> RegistryMapper.millisOf(mv) == newest).map(RegistryPoller::hash)
                    .forEach(seenAtNewest::add);
            return new Cursor(Math.max(newest, millis), seenAtNewest);
        }

        @Override
        public String toString() {
            return VERSION + ":" + millis + ":" + String.join(",", new TreeSet<>(seen));
        }
    }
}
