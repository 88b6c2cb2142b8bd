-- Failed logins per email and client address. Keyed by a hash of the email, whether or not an
-- account has it, so that known and unknown emails are throttled alike; the per-account
-- counters on users are no longer used.
CREATE TABLE login_failures (
    email_key TEXT NOT NULL,
    ip TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (email_key, ip)
);
CREATE INDEX login_failures_last_at ON login_failures (last_at);
