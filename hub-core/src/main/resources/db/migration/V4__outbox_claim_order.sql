-- Due deliveries are claimed oldest first. Read in (status, id) order, a claim stops after the rows it needs
-- instead of reading and sorting every pending delivery (the B1 benchmark's hot spot with a backlog).
CREATE INDEX ix_outbox_status_id ON outbox_delivery (status, id);
-- The same index finds lease-expired claims (IN_FLIGHT rows are few: the engines' workers), so the two older
-- status indexes only cost writes: every status change of every delivery updated both.
DROP INDEX ix_outbox_due;
DROP INDEX ix_outbox_lease;
