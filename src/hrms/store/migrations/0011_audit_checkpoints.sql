-- Signed checkpoints of the audit chain (app/audit_key.hpp): "entry `seq` has hash `hash`",
-- signed with Ed25519. Beside the chain (on SQLite in its file).
CREATE TABLE {{audit}}audit_checkpoints (
    seq {{bigint}} PRIMARY KEY,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
