-- The email outbox (app/email.hpp). A use case writes a rendered message here in the
-- transaction of the event that causes it; the email.send job claims due ones, sends them
-- through the configured providers and records the outcome. Times are RFC 3339 text; empty
-- text means "not given".
CREATE TABLE email_messages (
    id {{id}},
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    request_id TEXT NOT NULL DEFAULT '',
    template TEXT NOT NULL,
    essential INTEGER NOT NULL DEFAULT 0,
    user_id {{bigint}},
    to_email TEXT NOT NULL,
    to_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL DEFAULT '',
    -- the RFC 5322 Message-ID, fixed when queued: a message sent again after a crash mid-send
    -- carries the same one
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when a queued or deferred message is due; while one is being sent, when its claim lapses
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    provider_message_id TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TEXT NOT NULL DEFAULT ''
);
-- What the sender claims: only the rows still to send (a partial index stays small).
CREATE INDEX email_messages_due ON email_messages (next_attempt_at, id)
    WHERE status IN ('queued', 'deferred', 'sending');
CREATE INDEX email_messages_status ON email_messages (status, id);
CREATE INDEX email_messages_to ON email_messages (to_email, id);
-- Each message's history: queued, sending, sent, deferred, ... (the vocabulary of DESIGN.md).
CREATE TABLE email_events (
    id {{id}},
    message {{bigint}} NOT NULL REFERENCES email_messages (id),
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX email_events_message ON email_events (message, id);
-- Addresses nothing is sent to (hard bounces, complaints).
CREATE TABLE email_suppressions (
    email TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
