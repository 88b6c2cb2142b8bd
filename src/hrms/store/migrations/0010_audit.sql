-- The audit trail (audit/, app/audit.hpp). Domain entries are written into audit_pending in the
-- transaction of their change; the sealer moves them, with the access entries it buffered, into
-- audit_entries, giving each the next seq and hash = SHA-256(previous hash || canonical form).
-- On SQLite audit_entries lives in a file of its own ("hrms.audit.db", attached as "audit"), so
-- sealing never holds the main file's single writer lock. Times are RFC 3339 text; empty text
-- means "not given"; before_state, after_state and details hold JSON.
CREATE TABLE audit_pending (
    id {{id}},
    at TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor_id {{bigint}},
    session_id TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    latency_us {{bigint}} NOT NULL DEFAULT 0,
    bytes_in {{bigint}} NOT NULL DEFAULT 0,
    bytes_out {{bigint}} NOT NULL DEFAULT 0,
    slow INTEGER NOT NULL DEFAULT 0,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    before_state TEXT NOT NULL DEFAULT '',
    after_state TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT ''
);
CREATE TABLE {{audit}}audit_entries (
    seq {{bigint}} PRIMARY KEY,
    at TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor_id {{bigint}},
    session_id TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    latency_us {{bigint}} NOT NULL DEFAULT 0,
    bytes_in {{bigint}} NOT NULL DEFAULT 0,
    bytes_out {{bigint}} NOT NULL DEFAULT 0,
    slow INTEGER NOT NULL DEFAULT 0,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    before_state TEXT NOT NULL DEFAULT '',
    after_state TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    -- the audit_pending row it was sealed from (domain entries); unique, so a crash between the
    -- two files' commits on SQLite cannot seal one twice
    pending_id {{bigint}},
    hash TEXT NOT NULL
);
-- The searches of GET /api/v1/audit, newest first. Access entries (nearly every row) carry no
-- target and no pending row and are found by category without an index, so those indexes are
-- partial: each access entry costs the chain three index insertions, not six.
CREATE INDEX {{audit}}audit_entries_actor ON audit_entries (actor_id, seq) WHERE actor_id IS NOT NULL;
CREATE INDEX {{audit}}audit_entries_request ON audit_entries (request_id, seq);
CREATE INDEX {{audit}}audit_entries_category ON audit_entries (category, seq) WHERE category <> 'access';
CREATE INDEX {{audit}}audit_entries_target ON audit_entries (target_type, target_id, seq) WHERE target_type <> '';
CREATE INDEX {{audit}}audit_entries_at ON audit_entries (at);
CREATE UNIQUE INDEX {{audit}}audit_entries_pending ON audit_entries (pending_id) WHERE pending_id IS NOT NULL;
