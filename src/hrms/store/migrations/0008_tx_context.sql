-- The rows that record events carry the transaction's actor and request id (app::TxContext),
-- so one request's traces can be put together (audit entries and outbox messages will too).
-- Rows written before this migration have none.
ALTER TABLE notifications ADD COLUMN actor_id {{bigint}};
ALTER TABLE notifications ADD COLUMN request_id TEXT;
ALTER TABLE stage_history ADD COLUMN request_id TEXT;
