-- Sync runs under leases. Portable SQL for H2 and PostgreSQL, like V1.
--
-- A run records the instance running it (holder = node/start, node) and a lease the instance renews while the run
-- goes on. Another instance marks a RUNNING run ABORTED only once that lease ran out (or the run's node started
-- again): a live instance's run is never aborted. Runs from before this migration have no lease; they are treated
-- as stale, as all RUNNING runs were before.
ALTER TABLE sync_run ADD COLUMN holder VARCHAR(256);
ALTER TABLE sync_run ADD COLUMN node VARCHAR(128);
ALTER TABLE sync_run ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_sync_run_status ON sync_run (status, holder);
