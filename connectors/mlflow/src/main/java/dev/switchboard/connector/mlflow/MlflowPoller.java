package dev.switchboard.connector.mlflow;

import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource.PollResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds model-version changes by {@code last_updated_timestamp}, because MLflow delivers webhooks
 * fire-and-forget and a missed webhook must not be a missed event.
 *
 * <p>The cursor is {@code v1:<millis>:<hashes>}: the newest timestamp reported, and a hash of every
 * {@code (name, version, last_updated)} already reported at exactly that millisecond. Several changes in one
 * millisecond are therefore neither repeated nor skipped when a later poll sees more of them. Event ids are
 * derived from the same triple, so polling twice from one cursor yields the same ids.
 */
public final class MlflowPoller {

    private static final String VERSION = "v1";

    private final String connection;
    private final MlflowModelRegistry registry;
    private final MlflowMapper mapper;
    private final int pageSize;
    private final URI source;

    MlflowPoller(String connection, MlflowModelRegistry registry, MlflowMapper mapper, int pageSize) {
        this.connection = connection;
        this.registry = registry;
        this.mapper = mapper;
        this.pageSize = pageSize;
        this.source = CanonicalEvent.sourceOf(connection);
    }

    public PollResult poll(String cursorText) {
        if (cursorText == null) {
            return new PollResult(List.of(), startingNow());
        }
        Cursor cursor = Cursor.parse(connection, cursorText);
        List<MlflowDtos.ModelVersion> changed = changedSince(cursor);
        changed.sort(Comparator.comparingLong(MlflowPoller::updated)
                .thenComparing(MlflowDtos.ModelVersion::name)
                .thenComparing(v -> v.version().length()).thenComparing(MlflowDtos.ModelVersion::version));
        List<CanonicalEvent> events = changed.stream().map(this::event).toList();
        return new PollResult(events, cursor.advancedBy(changed).toString());
    }

    /** "From now on": the newest change the server has, with everything at that millisecond already seen. */
    private String startingNow() {
        List<MlflowDtos.ModelVersion> newest = registry.searchVersions(null, null, 1).items();
        if (newest.isEmpty()) {
            return new Cursor(0, Set.of()).toString();
        }
        long at = updated(newest.get(0));
        return new Cursor(at, Set.of()).advancedBy(changedSince(new Cursor(at, Set.of()))).toString();
    }

    /** Newest first, page by page, until a page reaches versions older than the cursor. */
    private List<MlflowDtos.ModelVersion> changedSince(Cursor cursor) {
        List<MlflowDtos.ModelVersion> changed = new ArrayList<>();
        Set<String> inThisPoll = new TreeSet<>();
        String token = null;
        do {
            MlflowDtos.SearchPage<MlflowDtos.ModelVersion> page = registry.searchVersions(null, token, pageSize);
            boolean reachedOlder = false;
            for (MlflowDtos.ModelVersion version : page.items()) {
                long updated = updated(version);
                if (updated < cursor.millis) {
                    reachedOlder = true;
                } else if (!(updated == cursor.millis && cursor.seen.contains(hash(version)))
                        && inThisPoll.add(hash(version))) {
                    // offset paging shifts under concurrent writes, so one poll can see a version twice
                    changed.add(version);
                }
            }
            token = reachedOlder ? null : page.nextPageToken();
        } while (token != null);
        return changed;
    }

    private CanonicalEvent event(MlflowDtos.ModelVersion version) {
        boolean created = Objects.equals(version.creationTimestamp(), version.lastUpdatedTimestamp());
        return new CanonicalEvent(eventId(version), source,
                created ? EventType.MODEL_VERSION_CREATED : EventType.MODEL_VERSION_UPDATED,
                MlflowWebhooks.subject(version.name(), version.version()),
                java.time.Instant.ofEpochMilli(updated(version)), mapper.toCanonical(version));
    }

    /** MLflow always sets {@code last_updated_timestamp}; a server that does not is treated as the epoch. */
    private static long updated(MlflowDtos.ModelVersion version) {
        return Objects.requireNonNullElse(version.lastUpdatedTimestamp(), 0L);
    }

    static String eventId(MlflowDtos.ModelVersion version) {
        return "poll:" + version.name() + "/" + version.version() + "@" + version.lastUpdatedTimestamp();
    }

    static String hash(MlflowDtos.ModelVersion version) {
        String key = version.name() + '\u0000' + version.version() + '\u0000' + version.lastUpdatedTimestamp();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Where a poll resumes; immutable. */
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
                Set<String> seen = parts[2].isEmpty() ? Set.of() : Set.of(parts[2].split(","));
                return new Cursor(Long.parseLong(parts[1]), seen);
            } catch (IllegalArgumentException e) {
                throw ConnectorException.configuration(connection, "poll cursor \"" + text
                        + "\" was not written by the MLflow connector (expected v1:<millis>:<hashes>)");
            }
        }

        Cursor advancedBy(List<MlflowDtos.ModelVersion> reported) {
            long newest = reported.stream().mapToLong(MlflowPoller::updated).max().orElse(millis);
            Set<String> seenAtNewest = new TreeSet<>(newest == millis ? seen : Set.of());
            reported.stream().filter(v -> updated(v) == newest).map(MlflowPoller::hash)
                    .forEach(seenAtNewest::add);
            return new Cursor(Math.max(newest, millis), seenAtNewest);
        }

        @Override
        public String toString() {
            return VERSION + ":" + millis + ":" + String.join(",", new TreeSet<>(seen));
        }
    }
}
