-- Background work (jobs/): who may run a cluster-wide job now, and every run.
-- A lease is held by one process ("instance") until expires_at (RFC 3339 text, which sorts like
-- the time); the holder renews it on each run and releases it on a clean stop.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
-- outcome: running | ok | failed | interrupted (its process lost the lease mid-run).
CREATE TABLE job_runs (
    id {{id}},
    job TEXT NOT NULL,
    instance TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    items {{bigint}} NOT NULL DEFAULT 0
);
CREATE INDEX job_runs_job_id ON job_runs (job, id);
CREATE INDEX job_runs_outcome ON job_runs (outcome, job);
