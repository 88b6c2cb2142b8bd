-- Bulk jobs (app/bulk.hpp): one row per request and one per item. Items run in batches, each
-- item under a SAVEPOINT in its batch's transaction, and an item's row is updated in that same
-- transaction, so a crash leaves every committed item recorded and the rest `pending`: the job
-- resumes where it stopped. Times are RFC 3339 text; empty text means "not given".
CREATE TABLE bulk_jobs (
    id {{id}},
    kind TEXT NOT NULL,
    actor_id {{bigint}} NOT NULL REFERENCES users (id),
    request_id TEXT NOT NULL DEFAULT '',
    -- the client's Idempotency-Key (empty: none) and a hash of the request it came with
    idempotency_key TEXT NOT NULL DEFAULT '',
    request_hash TEXT NOT NULL DEFAULT '',
    -- running, completed, cancelled
    status TEXT NOT NULL,
    -- the request's common values (decision, stage, reason, roles, ...) as JSON
    params TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    succeeded INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    -- the process running it and until when its claim holds (a lapsed claim is taken over)
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX bulk_jobs_idempotency ON bulk_jobs (actor_id, idempotency_key)
    WHERE idempotency_key <> '';
-- What the runner resumes: only unfinished jobs.
CREATE INDEX bulk_jobs_running ON bulk_jobs (lease_until, id) WHERE status = 'running';
CREATE TABLE bulk_items (
    job_id {{bigint}} NOT NULL REFERENCES bulk_jobs (id),
    seq INTEGER NOT NULL,
    -- the item as the request gave it (an id, or a JSON object)
    input TEXT NOT NULL,
    -- the id the item acts on, as text ("" when the item named none)
    target TEXT NOT NULL DEFAULT '',
    -- pending, ok, failed, cancelled
    status TEXT NOT NULL DEFAULT 'pending',
    error_code TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX bulk_items_pending ON bulk_items (job_id, seq) WHERE status = 'pending';
