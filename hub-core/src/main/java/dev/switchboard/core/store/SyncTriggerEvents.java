package dev.switchboard.core.store;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The events that are to run event-triggered sync jobs, written in the same transaction as their inbox append, so
 * that a job sees every such event once it is committed, whatever order appends commit in (a reader that follows
 * the inbox's highest seq misses an append that drew a lower seq and committed later).
 *
 * <p>A job {@linkplain #subscribe subscribes} with its source connection and event types; from then on every append
 * of a matching event adds a row for the job, kept until the instance holding the job's trigger has run the job and
 * {@linkplain #consume consumed} it. Rows outlive restarts and take-overs: an event that arrived while no instance
 * held the trigger runs the job once one does.
 */
public final class SyncTriggerEvents {

    private final JdbcTemplate jdbc;

    SyncTriggerEvents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * What one job listens to.
     *
     * @param source the job's source connection name
     * @param types  the event type names that trigger it
     */
    public record Subscription(String source, Set<String> types) {
    }

    /**
     * Makes the subscriptions those of {@code jobs}, by job name: missing ones are added, and those of jobs no longer
     * listed, or of types a job no longer listens to, are removed with the job's unconsumed events. Every instance of
     * a cluster runs with the same jobs, so whichever instance subscribes last leaves the same rows. Safe to call
     * from several instances at once.
     */
    public void subscribe(Map<String, Subscription> jobs) {
        Set<List<String>> stored = new HashSet<>(jdbc.query("SELECT event_type, source, job FROM "
                + "sync_trigger_subscription", (row, n) -> List.of(row.getString("event_type"), row.getString("source"),
                row.getString("job"))));
        Set<List<String>> wanted = new HashSet<>();
        jobs.forEach((job, subscription) -> subscription.types().forEach(type ->
                wanted.add(List.of(type, "/connections/" + subscription.source(), job))));
        for (List<String> row : wanted) {
            if (!stored.contains(row)) {
                try {
                    jdbc.update("INSERT INTO sync_trigger_subscription (event_type, source, job) VALUES (?, ?, ?)",
                            row.toArray());
                } catch (DuplicateKeyException raced) {
                    // another instance subscribed the same job at the same moment
                }
            }
        }
        for (List<String> row : stored) {
            if (!wanted.contains(row)) {
                jdbc.update("DELETE FROM sync_trigger_subscription WHERE event_type = ? AND source = ? AND job = ?",
                        row.toArray());
            }
        }
        stored.stream().map(row -> row.get(2)).filter(job -> !jobs.containsKey(job)).distinct()
                .forEach(job -> jdbc.update("DELETE FROM sync_trigger_event WHERE job = ?", job));
    }

    /**
     * The statement that adds a row per subscribed job for newly appended events: {@code events} is a FROM item that
     * names them {@code e}, with the inbox's {@code seq, type, source} columns (see
     * {@link RouteExecutions#createForEvents}). A WHERE clause follows, to which the caller may add conditions.
     */
    static String createForEvents(String events) {
        return "INSERT INTO sync_trigger_event (job, event_seq) SELECT t.job, e.seq FROM " + events
                + ", sync_trigger_subscription t WHERE t.event_type = e.type AND t.source = e.source";
    }

    /** Adds a row per subscribed job for the event just appended at {@code seq}; in the append's transaction. */
    int createForAppended(long seq) {
        return jdbc.update(createForEvents("inbox_event e") + " AND e.seq = ?", seq);
    }

    /** The seqs of events waiting to run {@code job}, oldest first, at most {@code limit}. */
    public List<Long> pending(String job, int limit) {
        return jdbc.queryForList("SELECT event_seq FROM sync_trigger_event WHERE job = ? ORDER BY event_seq "
                + "FETCH FIRST " + limit + " ROWS ONLY", Long.class, job);
    }

    /**
     * Removes the events {@code seqs} of {@code job}, for which it ran. By key, not by range: an append with a lower
     * seq that commits meanwhile keeps its row, and runs the job again.
     */
    public void consume(String job, Collection<Long> seqs) {
        jdbc.batchUpdate("DELETE FROM sync_trigger_event WHERE job = ? AND event_seq = ?",
                seqs.stream().map(seq -> new Object[] {job, seq}).toList());
    }
}
