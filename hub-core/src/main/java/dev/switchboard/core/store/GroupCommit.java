package dev.switchboard.core.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit: small write transactions that many threads start at the same time (webhook requests, delivery
 * workers) run together in one transaction on a writer thread and share its commit. A commit is the expensive
 * part of a short transaction (H2 writes a chunk of its file per commit), so under load this turns N commits into
 * about one; alone, a unit costs one hop to the writer thread.
 *
 * <p>{@link #execute} returns only after the commit, so a caller may report its write as durable. When the
 * shared transaction fails, it is rolled back and each unit runs again in a transaction of its own, so one bad
 * unit fails only its own caller. Units must therefore keep side effects other than their statements for after
 * the commit ({@link Store#afterCommit}). A caller already inside a transaction runs its unit there.
 *
 * <p>On H2 the shared transaction is checked before it commits: H2 answers a deadlock (error 40001) by rolling back
 * the whole transaction, not only the failed statement. A unit that caught that error and went on would leave the
 * earlier units' writes undone while their callers were told they were committed (a webhook answered 2xx and not
 * in the inbox); so when the transaction is no longer the one the group's first write opened, the group is treated
 * as failed and each unit runs again alone. (PostgreSQL refuses every statement and the commit of a transaction
 * that had an error, so there the failure reaches the group by itself.)
 *
 * <p>With a linger (PostgreSQL), the writer waits up to that long for more units before it starts a group, but only
 * after a group of at least {@value #COMPANY} units: under load, larger groups cost fewer commits and round trips per
 * unit, while a lone unit is never held (PostgreSQL's own {@code commit_delay} and {@code commit_siblings} work the
 * same way for WAL flushes).
 */
public final class GroupCommit {

    /** Units per shared transaction: enough to amortise a commit, few enough to keep its locks short. */
    static final int MAX_UNITS = 64;
    /** The size of a group after which the writer lingers for the next one: load, rather than a lone caller. */
    static final int COMPANY = 4;
    /** How often a lingering writer looks whether a full group is queued already. */
    private static final long LINGER_STEP_NANOS = 100_000;

    private final TransactionTemplate tx;
    /** The current transaction's id on H2 ({@code TRANSACTION_ID()}, null before its first write), or null. */
    private final Supplier<Object> transactionId;
    private final ConcurrentLinkedQueue<Unit<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ThreadPoolExecutor writer;
    private final long lingerNanos;

    GroupCommit(TransactionTemplate tx) {
        this(tx, null, Duration.ZERO);
    }

    /**
     * With {@code transactionId} (H2), a group whose transaction was rolled back under it is run again unit by unit.
     * After a group of at least {@value #COMPANY} units the writer waits up to {@code linger} for more.
     */
    GroupCommit(TransactionTemplate tx, Supplier<Object> transactionId, Duration linger) {
        this.tx = tx;
        this.transactionId = transactionId;
        this.lingerNanos = linger.toNanos();
        // One thread that ends when idle, so stores opened and dropped (tests, tools) leave no thread behind.
        this.writer = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "switchboard-group-commit");
            thread.setDaemon(true);
            return thread;
        });
        this.writer.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code unit} in a transaction, shared with other threads' units, and returns its result once committed. */
    public <T> T execute(Supplier<T> unit) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return unit.get();
        }
        Unit<T> pending = new Unit<>(unit);
        queue.add(pending);
        if (draining.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
        try {
            return pending.result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
    }

    /** How many units wait for the writer (tests queue units in a known order with it). */
    int waiting() {
        return queue.size();
    }

    private void drain() {
        int last = 0;
        while (true) {
            if (last >= COMPANY) {
                linger();
            }
            List<Unit<?>> group = new ArrayList<>();
            for (Unit<?> unit; group.size() < MAX_UNITS && (unit = queue.poll()) != null; ) {
                group.add(unit);
            }
            if (group.isEmpty()) {
                draining.set(false);
                // A unit queued after the poll but before the flag was cleared found it set: take it on now.
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            commit(group);
            last = group.size();
        }
    }

    /** Waits up to the linger, or until a full group is queued. */
    private void linger() {
        for (long until = System.nanoTime() + lingerNanos; queue.size() < MAX_UNITS; ) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(left, LINGER_STEP_NANOS));
        }
    }

    private void commit(List<Unit<?>> group) {
        List<Object> results;
        try {
            results = tx.execute(status -> {
                List<Object> values = new ArrayList<>(group.size());
                Object opened = null;
                for (Unit<?> unit : group) {
                    values.add(unit.work.get());
                    if (transactionId != null && opened == null && group.size() > 1) {
                        opened = transactionId.get();
                    }
                }
                if (opened != null && !opened.equals(transactionId.get())) {
                    throw new TransactionRolledBackUnderneath();
                }
                return values;
            });
        } catch (RuntimeException | Error groupFailed) {
            if (group.size() == 1) {
                group.get(0).result.completeExceptionally(groupFailed);
                return;
            }
            for (Unit<?> unit : group) {
                alone(unit);
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).complete(results.get(i));
        }
    }

    private <T> void alone(Unit<T> unit) {
        try {
            unit.result.complete(tx.execute(status -> unit.work.get()));
        } catch (RuntimeException | Error e) {
            unit.result.completeExceptionally(e);
        }
    }

    /** The database rolled the shared transaction back while a unit went on; the group runs again unit by unit. */
    static final class TransactionRolledBackUnderneath extends RuntimeException {
        TransactionRolledBackUnderneath() {
            super("the shared transaction was rolled back under the group (a deadlock a unit did not pass on)", null,
                    false, false);
        }
    }

    /** One caller's work and the future it waits on. */
    private static final class Unit<T> {
        final Supplier<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Unit(Supplier<T> work) {
            this.work = work;
        }

        @SuppressWarnings("unchecked")
        void complete(Object value) {
            result.complete((T) value);
        }
    }
}
