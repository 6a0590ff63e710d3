-- A route can be paused by an operator (API, CLI): its subscription stays, so events go on getting PENDING executions
-- for it, but no instance claims them until it is resumed. Kept in the database, so every instance sees it and a
-- restart or a reload of the route files keeps the route paused.
ALTER TABLE route_subscription ADD COLUMN paused BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE route_subscription ADD COLUMN paused_at TIMESTAMP WITH TIME ZONE;

-- Events an operator injected through POST /api/v1/events (test events), marked right after their append.
CREATE TABLE injected_event (
    seq          BIGINT PRIMARY KEY REFERENCES inbox_event (seq),
    injected_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A sync run's progress while it runs (objects with an outcome, of those listed), written after each batch, so any
-- instance can show it.
ALTER TABLE sync_run ADD COLUMN objects_done BIGINT;
ALTER TABLE sync_run ADD COLUMN objects_total BIGINT;
