-- Event-triggered sync jobs, commit-ordered. Portable SQL for H2 and PostgreSQL, like V1.
--
-- A sync job triggered by events subscribes (one row per event type it listens to, from its source connection as the
-- inbox spells it, /connections/<name>); every inbox append writes one sync_trigger_event per subscribed job in the
-- SAME transaction as the event, as route executions are written (V6). The instance holding the job's trigger lease
-- runs the job for the rows it finds and deletes those rows once the run went through. An append that drew its seq
-- before another but committed after it is seen all the same: nothing is read "after the highest seq".
CREATE TABLE sync_trigger_subscription (
    event_type  VARCHAR(256) NOT NULL,
    source      VARCHAR(512) NOT NULL,
    job         VARCHAR(256) NOT NULL,
    PRIMARY KEY (event_type, source, job)
);
CREATE INDEX ix_sync_trigger_subscription_job ON sync_trigger_subscription (job);

CREATE TABLE sync_trigger_event (
    job        VARCHAR(256) NOT NULL,
    event_seq  BIGINT       NOT NULL,
    PRIMARY KEY (job, event_seq)
);
