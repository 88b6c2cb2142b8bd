-- Delivery tracking (app/email.hpp, EmailTracking): the provider events already applied, so a
-- webhook delivered twice changes nothing the second time; soft bounces counted per address
-- (the third suppresses it); and lookups of a message by the ids providers quote.
CREATE TABLE email_provider_events (
    event_key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    message {{bigint}},
    type TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE email_soft_bounces (
    email TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_at TEXT NOT NULL
);
CREATE INDEX email_messages_message_id ON email_messages (message_id);
CREATE INDEX email_messages_provider_message_id ON email_messages (provider_message_id) WHERE provider_message_id <> '';
CREATE INDEX email_messages_created ON email_messages (created_at);
