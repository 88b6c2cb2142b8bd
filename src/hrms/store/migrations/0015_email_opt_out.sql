-- Users who asked for no non-essential mail (workflow notices). Invites, password resets and
-- security notices are sent regardless.
CREATE TABLE email_opt_outs (
    user_id {{bigint}} PRIMARY KEY REFERENCES users (id),
    at TEXT NOT NULL
);
