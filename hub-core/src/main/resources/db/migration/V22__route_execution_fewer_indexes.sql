-- Fewer indexes on route_execution. Every execution is inserted and then updated at least twice (claimed, ended),
-- and PostgreSQL adds an entry to every index for each new row version (B1 benchmark, tenth pass).
-- The unique key now leads with the event, so that look-ups by event can use it (db/postgresql drops the event's own
-- index; H2 keeps it for the foreign key to the inbox). The execution waiting on a delivery is found by the
-- delivery's event and route through the same key, so the index on waiting_on goes.
ALTER TABLE route_execution DROP CONSTRAINT uq_route_execution;
ALTER TABLE route_execution ADD CONSTRAINT uq_route_execution UNIQUE (event_seq, route_id);
DROP INDEX ix_route_execution_waiting;
