-- Whether a WAITING execution's step is the route's last. Portable SQL for H2 and PostgreSQL, like V1.
--
-- When the step an execution waits at is the last thing its route does (RouteTail), the transaction that records
-- the step's delivery DELIVERED also records the execution DONE, instead of making it PENDING for one more run of
-- the route that would only replay the step from its recorded result and end. Set by the run that records WAITING.
ALTER TABLE route_execution ADD COLUMN last_step BOOLEAN DEFAULT FALSE NOT NULL;
