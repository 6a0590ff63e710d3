package dev.switchboard.core.sync;

import dev.switchboard.core.config.SyncJobSpec;
import dev.switchboard.core.store.InboxStore;
import dev.switchboard.core.store.InboxEntry;
import dev.switchboard.core.store.StoredEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sync jobs by themselves, as their {@link SyncJobSpec.Trigger} says: every interval, and at once when an event
 * of a listed type arrives in the inbox from the job's source connection (so a webhook leads to an immediate
 * incremental run). Runs happen one at a time on one thread; a burst of events causes one run per job.
 *
 * <p>Events are followed from the inbox's end at {@link #start}: an event that arrived while the hub was down causes
 * no run of its own, and loses nothing, because the job's next run reads everything since its cursor.
 */
public final class SyncTriggers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncTriggers.class);
    private static final int BATCH = 200;

    private final SyncService sync;
    private final InboxStore inbox;
    private final ScheduledExecutorService executor;
    private final Runnable listener = this::inboxChanged;
    private long lastSeq;

    public SyncTriggers(SyncService sync, InboxStore inbox) {
        this.sync = sync;
        this.inbox = inbox;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "switchboard-sync");
            thread.setDaemon(true);
            return thread;
        });
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = pool;
    }

    /** Schedules the interval runs and starts following the inbox. */
    public void start() {
        lastSeq = inbox.lastSeq();
        for (SyncJobSpec job : sync.jobs()) {
            if (job.trigger().interval() != null) {
                long millis = job.trigger().interval().toMillis();
                executor.scheduleWithFixedDelay(() -> runQuietly(job.name(), "schedule"), millis, millis,
                        TimeUnit.MILLISECONDS);
            }
        }
        // With no job triggered by events there is nothing to look for: reading every new event would cost a
        // query per append for nothing (B1 benchmark).
        if (sync.jobs().stream().anyMatch(job -> !job.trigger().events().isEmpty())) {
            inbox.addListener(listener);
        }
    }

    private void inboxChanged() {
        executor.execute(this::drainInbox);
    }

    /** On the sync thread: which jobs do the new events trigger? Each runs once however many events named it. */
    private void drainInbox() {
        Set<String> due = new LinkedHashSet<>();
        List<InboxEntry> events;
        do {
            // Entries, not events: a batch of rows that cannot be decoded is passed, not taken for the end.
            events = inbox.entriesAfter(lastSeq, BATCH);
            for (InboxEntry entry : events) {
                lastSeq = entry.seq();
                if (!(entry instanceof StoredEvent stored)) {
                    continue;
                }
                for (SyncJobSpec job : sync.jobs()) {
                    if (job.trigger().events().contains(stored.event().type().typeName())
                            && job.source().equals(stored.event().sourceConnection())) {
                        due.add(job.name());
                    }
                }
            }
        } while (!events.isEmpty());
        due.forEach(job -> runQuietly(job, "event"));
    }

    private void runQuietly(String job, String cause) {
        try {
            SyncRun run = sync.apply(job).run();
            LOG.info("Sync job {} ran ({}): {} created, {} updated, {} unchanged, {} skipped, {} failed; {}", job,
                    cause, run.created(), run.updated(), run.unchanged(), run.skipped(), run.failed(), run.status());
        } catch (RuntimeException e) {
            LOG.warn("Sync job {} could not run ({}): {}", job, cause, e.getMessage());
        }
    }

    @Override
    public void close() {
        inbox.removeListener(listener);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
