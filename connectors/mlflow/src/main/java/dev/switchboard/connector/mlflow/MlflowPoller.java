package dev.switchboard.connector.mlflow;

import dev.switchboard.connector.mlflow.internal.MlflowDtos;
import dev.switchboard.model.AliasChange;
import dev.switchboard.model.CanonicalEvent;
import dev.switchboard.model.EventType;
import dev.switchboard.model.RegisteredModel;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.EventSource.PollResult;
import dev.switchboard.spi.Page;
import dev.switchboard.spi.PageRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds model-version changes by {@code last_updated_timestamp}, because MLflow delivers webhooks
 * fire-and-forget and a missed webhook must not be a missed event; and alias changes by comparing every model's
 * aliases with those the cursor remembers, because setting or deleting an alias moves no timestamp (MLflow 2.12
 * and 3.6 alike), so a timestamp cursor cannot see it.
 *
 * <p>The cursor is {@code v2:<millis>:<hashes>:<generation>:<aliases>}: the newest timestamp reported, a hash of
 * every {@code (name, version, last_updated)} already reported at exactly that millisecond, a counter of polls that
 * reported alias changes, and the aliases of every model as last seen (base64url of sorted
 * {@code model NUL alias NUL version} lines). Several changes in one millisecond are therefore neither repeated nor
 * skipped when a later poll sees more of them. Event ids are derived from the cursor and what changed, so polling
 * twice from one cursor yields the same ids. A {@code v1} cursor (written before aliases were polled) is read; its
 * first poll records the aliases as they are and reports none.
 *
 * <p>Cost of one poll: the version search pages down to the cursor, plus one {@code registered-models/search} per
 * page of models ({@code registered-models/search} carries each model's {@code aliases}, as MLflow's SQL store
 * builds every registered model with them).
 */
public final class MlflowPoller {

    private static final String VERSION = "v2";
    private static final String VERSION_1 = "v1";

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
        List<CanonicalEvent> events = new ArrayList<>(changed.stream().map(this::event).toList());
        TreeMap<String, String> aliases = currentAliases();
        long generation = cursor.generation;
        if (cursor.aliases != null) {
            List<CanonicalEvent> aliasEvents = aliasEvents(cursor, aliases);
            events.addAll(aliasEvents);
            generation += aliasEvents.isEmpty() ? 0 : 1;
        }
        Cursor next = cursor.advancedBy(changed);
        return new PollResult(events, new Cursor(next.millis, next.seen, generation, aliases).toString());
    }

    /** "From now on": the newest change the server has, with everything at that millisecond already seen. */
    private String startingNow() {
        TreeMap<String, String> aliases = currentAliases();
        List<MlflowDtos.ModelVersion> newest = registry.searchVersions(null, null, 1).items();
        if (newest.isEmpty()) {
            return new Cursor(0, Set.of(), 0, aliases).toString();
        }
        long at = updated(newest.get(0));
        Cursor seen = new Cursor(at, Set.of(), 0, aliases).advancedBy(changedSince(new Cursor(at, Set.of(), 0, null)));
        return new Cursor(seen.millis, seen.seen, 0, aliases).toString();
    }

    /** Every alias of every model, {@code model NUL alias -> version}, from {@code registered-models/search}. */
    private TreeMap<String, String> currentAliases() {
        TreeMap<String, String> aliases = new TreeMap<>();
        PageRequest request = PageRequest.first(pageSize);
        while (true) {
            Page<RegisteredModel> page = registry.listModels(request);
            page.items().forEach(model -> model.aliases().forEach((alias, version) ->
                    aliases.put(model.name() + '\u0000' + alias, version)));
            if (page.next().isEmpty()) {
                return aliases;
            }
            request = request.next(page);
        }
    }

    /** Aliases set, moved (set on their new version) and deleted since the cursor, in name order. */
    private List<CanonicalEvent> aliasEvents(Cursor cursor, TreeMap<String, String> now) {
        Instant time = Instant.now();
        String prefix = "poll-alias:" + cursor.generation + ":";
        List<CanonicalEvent> events = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(now.keySet());
        keys.addAll(cursor.aliases.keySet());
        for (String key : keys) {
            String before = cursor.aliases.get(key);
            String after = now.get(key);
            if (Objects.equals(before, after)) {
                continue;
            }
            String name = key.substring(0, key.indexOf('\u0000'));
            String alias = key.substring(key.indexOf('\u0000') + 1);
            String id = prefix + name + "#" + alias + ":" + (before == null ? "-" : before) + "->"
                    + (after == null ? "-" : after);
            if (id.length() > CanonicalEvent.MAX_ID_LENGTH) {
                id = prefix + sha(id);
            }
            events.add(after == null
                    ? new CanonicalEvent(id, source, EventType.MODEL_VERSION_ALIAS_DELETED, "models/" + name, time,
                            new AliasChange(name, alias, null, mapper.modelRef(name)))
                    : new CanonicalEvent(id, source, EventType.MODEL_VERSION_ALIAS_SET,
                            MlflowWebhooks.subject(name, after), time,
                            new AliasChange(name, alias, after, mapper.modelRef(name))));
        }
        return events;
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
        return sha(version.name() + '\u0000' + version.version() + '\u0000' + version.lastUpdatedTimestamp());
    }

    private static String sha(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Where a poll resumes; immutable. {@code aliases} ({@code model NUL alias -> version}) is {@code null} when not
     * known yet (a {@code v1} cursor).
     */
    record Cursor(long millis, Set<String> seen, long generation, TreeMap<String, String> aliases) {

        Cursor {
            seen = Set.copyOf(seen);
            aliases = aliases == null ? null : new TreeMap<>(aliases);
        }

        static Cursor parse(String connection, String text) {
            String[] parts = text.split(":", -1);
            try {
                boolean v1 = parts.length == 3 && parts[0].equals(VERSION_1);
                if (!v1 && !(parts.length == 5 && parts[0].equals(VERSION))) {
                    throw new IllegalArgumentException(text);
                }
                Set<String> seen = parts[2].isEmpty() ? Set.of() : Set.of(parts[2].split(","));
                return new Cursor(Long.parseLong(parts[1]), seen, v1 ? 0 : Long.parseLong(parts[3]),
                        v1 ? null : decodeAliases(parts[4]));
            } catch (IllegalArgumentException e) {
                throw ConnectorException.configuration(connection, "poll cursor \"" + abbreviated(text)
                        + "\" was not written by the MLflow connector (expected v2:<millis>:<hashes>:<generation>:"
                        + "<aliases>)");
            }
        }

        Cursor advancedBy(List<MlflowDtos.ModelVersion> reported) {
            long newest = reported.stream().mapToLong(MlflowPoller::updated).max().orElse(millis);
            Set<String> seenAtNewest = new TreeSet<>(newest == millis ? seen : Set.of());
            reported.stream().filter(v -> updated(v) == newest).map(MlflowPoller::hash)
                    .forEach(seenAtNewest::add);
            return new Cursor(Math.max(newest, millis), seenAtNewest, generation, aliases);
        }

        private static TreeMap<String, String> decodeAliases(String text) {
            TreeMap<String, String> aliases = new TreeMap<>();
            if (text.isEmpty()) {
                return aliases;
            }
            String lines = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            for (String line : lines.split("\n")) {
                int last = line.lastIndexOf('\u0000');
                if (last <= 0 || line.indexOf('\u0000') == last) {
                    throw new IllegalArgumentException(line);
                }
                aliases.put(line.substring(0, last), line.substring(last + 1));
            }
            return aliases;
        }

        private static String abbreviated(String text) {
            return text.length() <= 80 ? text : text.substring(0, 80) + "…";
        }

        @Override
        public String toString() {
            String encoded = aliases == null || aliases.isEmpty() ? "" : Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(aliases.entrySet().stream().map(e -> e.getKey() + '\u0000' + e.getValue())
                            .collect(java.util.stream.Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8));
            return VERSION + ":" + millis + ":" + String.join(",", new TreeSet<>(seen)) + ":" + generation + ":"
                    + encoded;
        }
    }
}
