-- H2 only, as V4_1 for the inbox and the outbox: route executions are written at the inbox's rate (one per event
-- and subscribed route), and with the default cache of 32 H2 wrote the identity sequence's state in a commit of its
-- own every 32 executions (a third of the executions' INSERT in a B1 profile of the group commit's writer).
ALTER TABLE route_execution ALTER COLUMN id SET CACHE 1024;
