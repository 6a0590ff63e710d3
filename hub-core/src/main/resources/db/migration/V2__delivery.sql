-- Delivery engine and dead letters. Portable SQL for H2 and PostgreSQL, like V1.

-- A claimed delivery is IN_FLIGHT until lease_until; after that another instance may claim it again (the
-- instance that held it is presumed dead). claimed_by tells which claim a completion belongs to, so a late
-- completion from an instance that lost its lease does not overwrite the newer claim's outcome.
ALTER TABLE outbox_delivery ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE outbox_delivery ADD COLUMN claimed_by VARCHAR(128);
-- The canonical event the action is for, so a delivery is self-contained (its event need not be in the inbox).
ALTER TABLE outbox_delivery ADD COLUMN event_payload TEXT;
CREATE INDEX ix_outbox_lease ON outbox_delivery (status, lease_until);

-- Route dead letters name the route whose processing of the event failed.
ALTER TABLE dead_letter ADD COLUMN route_id VARCHAR(256);
CREATE INDEX ix_dead_letter_connection ON dead_letter (connection_name, created_at);
CREATE INDEX ix_dead_letter_delivery ON dead_letter (delivery_id);

-- Route dead letters being replayed: the route's events consumer runs the event through the route again,
-- records the new outcome, and deletes the row. The route's cursor does not move back.
CREATE TABLE route_replay (
    dead_letter_id  BIGINT       PRIMARY KEY REFERENCES dead_letter (id),
    route_id        VARCHAR(256) NOT NULL,
    event_seq       BIGINT       NOT NULL REFERENCES inbox_event (seq),
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_route_replay_route ON route_replay (route_id, dead_letter_id);
