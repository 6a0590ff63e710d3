-- Sync dead letters. Portable SQL for H2 and PostgreSQL, like V1.
--
-- An object that FAILED in an applied sync run is a dead letter of stage 'sync' in the same table as route and
-- delivery dead letters (so one list, one filter, one replay), naming the job, the run that last failed it, the
-- source object and, to read it again from the source, its model and version. There is at most one open sync dead
-- letter per job and object: a later failure of the object updates its reason and run, a later success resolves it.
ALTER TABLE dead_letter ADD COLUMN sync_job VARCHAR(256);
ALTER TABLE dead_letter ADD COLUMN sync_run_id VARCHAR(64);
ALTER TABLE dead_letter ADD COLUMN object_key VARCHAR(1024);
ALTER TABLE dead_letter ADD COLUMN object_model VARCHAR(1024);
ALTER TABLE dead_letter ADD COLUMN object_version VARCHAR(256);
CREATE INDEX ix_dead_letter_sync ON dead_letter (sync_job, replayed_at);
