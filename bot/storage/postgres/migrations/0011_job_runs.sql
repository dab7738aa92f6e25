-- Scheduled sweeps across instances (issue 14): one row per job and tick (the minute it was
-- scheduled for, UTC), written by the instance that runs it; another instance whose scheduler
-- fires for the same tick finds the row and skips. Rows older than a week are pruned as new
-- ones are written. Nothing personal: a job name, a minute and when it started.
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    tick       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (job, tick)
);
