-- Which instance ran an execution. Portable SQL for H2 and PostgreSQL, like V1.
--
-- holder/node say who holds a RUNNING execution's claim and are cleared when its run ends; ran_by keeps the
-- holder (node/start) of the run that recorded the execution's current state (WAITING, DONE, ...), so an operator
-- sees which instance ran a finished execution, and the three-instance failover test counts executions per instance.
ALTER TABLE route_execution ADD COLUMN ran_by VARCHAR(256);
