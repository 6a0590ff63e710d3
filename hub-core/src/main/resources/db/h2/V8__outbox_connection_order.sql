-- H2 only. While a connection's bulkhead is full, its due deliveries must not hide the other connections': the
-- claim then reads each other connection's due deliveries on their own, in (status, connection, id) order, so it
-- stops after the rows it needs. Excluding the full connection from a read in (status, id) order instead walked its
-- whole backlog on every claim: a backlog of 10,000 drained at 14–40/s (B5 benchmark).
CREATE INDEX ix_outbox_status_connection_id ON outbox_delivery (status, connection_name, id);
