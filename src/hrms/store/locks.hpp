#pragma once
// Internal to store/: every PostgreSQL advisory-lock key the store takes, in one table. All are
// transaction-scoped (pg_advisory_xact_lock): released at COMMIT or ROLLBACK.
namespace hrms::store {

enum class PgLock : long long {
    migrations = 7262031,     // one process migrates at a time
    roles = 7262101,          // role edits (cycle and grant checks read the whole graph)
    managers = 7262102,       // manager changes (cycle checks read the chain)
    user_emails = 7262103,    // user creation (the email uniqueness check)
    notifications = 7262104,  // notification writers, so ids grow in commit order
    sla_scan = 7262105,       // the escalation scan
    audit_sealer = 7262106,   // the audit chain's sealer: one process appends at a time
    bulk_keys = 7262107,      // bulk job creation (the Idempotency-Key check)
};

// The key as bound into SQL.
inline long long key(PgLock lock) { return static_cast<long long>(lock); }

}  // namespace hrms::store
