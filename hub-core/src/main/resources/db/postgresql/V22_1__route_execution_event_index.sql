-- Look-ups of an event's executions use the unique key (event_seq, route_id) (V22); PostgreSQL, unlike H2, needs no
-- index of its own for the foreign key to the inbox.
DROP INDEX ix_route_execution_event;
