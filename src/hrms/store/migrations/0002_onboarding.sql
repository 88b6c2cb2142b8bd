-- Onboarding: profiles, SLA clocks, stage history, document types and documents, notifications.

CREATE TABLE profiles (
    id {{id}},
    user_id {{bigint}} NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    stage TEXT NOT NULL DEFAULT 'details'
        CHECK (stage IN ('details', 'documents', 'final', 'completed')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'rejected')),
    employment_status TEXT NOT NULL DEFAULT 'onboarding'
        CHECK (employment_status IN ('onboarding', 'on_hold', 'withdrawn', 'active')),
    progress INTEGER NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '{}',
    assignee_id {{bigint}} REFERENCES users(id),
    -- lower-cased "name email" of the employee, for the queue's free-text filter
    search TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    -- deadline of the running SLA clock of the current stage; NULL when no clock runs
    sla_due_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX profiles_queue ON profiles(stage, status, id);
CREATE INDEX profiles_status ON profiles(status, id);
CREATE INDEX profiles_assignee ON profiles(assignee_id, id);
CREATE INDEX profiles_due ON profiles(sla_due_at);

CREATE TABLE sla_clocks (
    profile_id {{bigint}} NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    elapsed_ms {{bigint}} NOT NULL DEFAULT 0,
    running_since TEXT,
    stopped_at TEXT,
    PRIMARY KEY (profile_id, stage)
);

CREATE TABLE stage_history (
    id {{id}},
    profile_id {{bigint}} NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    actor_id {{bigint}} REFERENCES users(id),
    at TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    to_status TEXT NOT NULL,
    decision TEXT,
    reason TEXT
);
CREATE INDEX stage_history_profile ON stage_history(profile_id, id);

CREATE TABLE document_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    required INTEGER NOT NULL,
    max_bytes {{bigint}} NOT NULL,
    allowed_mime TEXT NOT NULL,  -- comma-separated
    position INTEGER NOT NULL
);
INSERT INTO document_types (code, name, required, max_bytes, allowed_mime, position) VALUES
    ('id_proof', 'Proof of identity', 1, 10485760, 'application/pdf,image/jpeg,image/png', 1),
    ('address_proof', 'Proof of address', 1, 10485760, 'application/pdf,image/jpeg,image/png', 2),
    ('tax_form', 'Tax form', 1, 10485760, 'application/pdf', 3),
    ('bank_details', 'Bank details', 1, 10485760, 'application/pdf,image/jpeg,image/png', 4),
    ('education_certificate', 'Education certificate', 0, 10485760, 'application/pdf,image/jpeg,image/png', 5),
    ('signed_contract', 'Signed contract', 0, 10485760, 'application/pdf', 6);

CREATE TABLE documents (
    id {{id}},
    profile_id {{bigint}} NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    type TEXT NOT NULL REFERENCES document_types(code),
    filename TEXT NOT NULL,
    size {{bigint}} NOT NULL,
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    is_current INTEGER NOT NULL,
    uploaded_by {{bigint}} REFERENCES users(id),
    uploaded_at TEXT NOT NULL,
    reviewed_by {{bigint}} REFERENCES users(id),
    reviewed_at TEXT,
    review_reason TEXT
);
CREATE INDEX documents_profile ON documents(profile_id, type, is_current);

-- The feed. channel: 'user:<id>', 'admins' or 'role:<name>'. Ids only grow: clients resume
-- from the last id they saw.
CREATE TABLE notifications (
    id {{id}},
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_channel ON notifications(channel, id);

-- Per-user read state: everything up to read_through is read, plus single reads above it.
CREATE TABLE notification_reads (
    user_id {{bigint}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_id {{bigint}} NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, notification_id)
);
ALTER TABLE users ADD COLUMN notifications_read_through {{bigint}} NOT NULL DEFAULT 0;

-- Employees that exist already get their profile.
INSERT INTO profiles (user_id, search, created_at, updated_at)
    SELECT u.id, lower(u.name || ' ' || u.email), u.created_at, u.created_at
    FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'employee';
