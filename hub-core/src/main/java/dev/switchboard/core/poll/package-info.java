/**
 * The hub's pollers: {@link dev.switchboard.core.poll.PollScheduler} polls every connection whose event source
 * {@linkplain dev.switchboard.spi.EventSource#polls() polls}, on its {@code poll-interval}
 * ({@link dev.switchboard.core.config.HubConnectionOptions}: default 60 s without a webhook secret, else off).
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Cursor after commit.</b> A poll reads the cursor {@code poll:<connection>} ({@code sync_cursor}), asks
 *   the source for changes since, appends them to the inbox (committed when {@code append} returns), checks it
 *   still holds its lease, and only then saves the new cursor. A crash between the commit and the save repeats the
 *   poll; the inbox stores each {@code (source, id)} once and sources give stable ids, so nothing is missed or
 *   doubled.</li>
 *   <li><b>One instance per connection, by lease.</b> The lease {@code poll:<connection>}
 *   ({@link dev.switchboard.core.store.WorkLeases}, table {@code work_lease}) is held for 25 s and renewed every
 *   5 s by the scheduler's tick, which keeps running while polls run on their own threads; other instances try to
 *   take it every 5 s, and at the second it runs out. A dead holder's connection is polled again 25 to 26 s after
 *   its last renewal (so within 30 s of its death); a stopped one's at once (it releases); a restarted one with the
 *   same instance name takes its own back at once. The
 *   holder keeps the lease across polls, so the interval holds across the cluster, not per instance.</li>
 *   <li><b>Failures</b> are retried after the interval, then at doubling waits up to 15 min, logged at WARN when a
 *   connection starts failing (or the error changes) and at INFO when it recovers, never per tick.</li>
 * </ul>
 *
 * <h2>Other singleton work on the same leases</h2>
 * A {@code WorkLeases.Lease} is a holder object: acquire, renew while working, release in the same scope
 * ({@code try}-with-resources). A sync run would take {@code sync:<job>} for the run's duration, renew it from its
 * page loop or a heartbeat, and record the claim's holder on its {@code sync_run} row; an instance finding a
 * RUNNING run whose lease it could take over (expired, or its own predecessor's) marks that run ABORTED, and never
 * a run whose lease is live. Interval sync triggers would take {@code sync-trigger:<job>} the way pollers do, so
 * one instance schedules each job. Leases compare instance clocks (kept by NTP) and are not fencing tokens: work
 * guarded by one must itself be idempotent, as polls and sync applies are.
 */
package dev.switchboard.core.poll;
