-- Files mailed with a message (app/ports/email.hpp, EmailAttachment): a JSON array of
-- {"filename", "content_type", "path"}. Only where each file is: the sender reads it when the
-- message is sent (reports run to megabytes), and a file gone by then fails the message.
ALTER TABLE email_messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
