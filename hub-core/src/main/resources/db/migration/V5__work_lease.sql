-- Leases on singleton work (a connection's poller today; sync runs and triggers can take the same kind of lease).
-- Portable SQL for H2 and PostgreSQL, like V1.
--
-- One row per piece of work, by name ("poll:mlflow-prod"). The holder renews expires_at while it works (a
-- heartbeat); once expires_at has passed, any instance may take the lease over. claim_id changes with every
-- acquisition, so a holder that lost its lease (and was replaced) can neither renew nor release the new claim.
-- Rows are never deleted: a release only ends the claim (expires_at = now), so the last holder stays visible.
CREATE TABLE work_lease (
    name         VARCHAR(256) PRIMARY KEY,
    holder       VARCHAR(256) NOT NULL,
    node         VARCHAR(128),
    claim_id     VARCHAR(64)  NOT NULL,
    acquired_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    renewed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
