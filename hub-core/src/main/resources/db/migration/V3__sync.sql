-- Sync engine: a reverse sync job asks "is this object itself a copy made by a sync?" for every object it reads,
-- which looks the identity map up by target.
CREATE INDEX ix_identity_map_target ON identity_map (target_connection, target_native_id);

-- Why a run stopped before the end (ABORTED), so a run's summary never hides that it did not finish.
ALTER TABLE sync_run ADD COLUMN error TEXT;
