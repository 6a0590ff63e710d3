-- Due deliveries are claimed oldest first. Read in (status, id) order, a claim stops after the rows it needs
-- instead of reading and sorting every pending delivery (the B1 benchmark's hot spot with a backlog).
CREATE INDEX ix_outbox_status_id ON outbox_delivery (status, id);
