#pragma once
// The ports the use cases need: Store + Tx (persistence, one port per aggregate under ports/),
// BlobStore and Clock. Adapters live in store/; tests use a real SQLite file or a real
// PostgreSQL, never an in-memory fake.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/jobs.hpp"
#include "hrms/app/tx_context.hpp"
#include "hrms/app/ports/audit.hpp"
#include "hrms/app/ports/bulk.hpp"
#include "hrms/app/ports/documents.hpp"
#include "hrms/app/ports/email.hpp"
#include "hrms/app/ports/notifications.hpp"
#include "hrms/app/ports/profiles.hpp"
#include "hrms/app/ports/reports.hpp"
#include "hrms/app/ports/roles.hpp"
#include "hrms/app/ports/users.hpp"
#include "hrms/core/time.hpp"

namespace hrms::app {


// What live (WebSocket) sessions must learn once a write Tx commits. The store collects it from
// the Tx's own writes (a notification inserted, a session deleted, a user suspended, roles
// changed), so no use case can forget to tell them.
// Something about a profile changed that reviewers' open views show: its stage or status moved
// (a submission, a decision, an employment change) or one of its documents was uploaded or
// reviewed. Ephemeral: a `profiles_changed` frame, never stored.
struct ProfileChange {
    ProfileId profile_id = 0;
    std::optional<core::Stage> stage;  // where the profile is now (stage events only)
    std::optional<core::StageStatus> status;
    std::string decision;  // approve | reject | employment.<status>; empty for a submission or upload
    UserId actor = 0;      // 0: the system
    std::string actor_name;
    DocumentId document = 0;     // document events only
    std::string event = "stage";  // stage | document_uploaded | document_reviewed
};

struct LiveBatch {
    std::vector<NotificationRecord> notifications;  // ascending ids
    std::vector<std::string> ended_sessions;        // token hashes (logout)
    std::vector<UserId> blocked_users;              // suspended: every session of theirs ends
    std::vector<UserId> changed_users;              // their roles changed
    std::vector<std::string> changed_roles;         // a role's permissions or parents changed
    std::vector<BulkProgress> progress;             // bulk jobs' progress, to their actors
    std::vector<ProfileChange> changes;             // profiles that moved, to the reviewers
    std::int64_t changes_unlisted = 0;              // more that moved, not listed (from another process)
    bool empty() const {
        return notifications.empty() && ended_sessions.empty() && blocked_users.empty() &&
               changed_users.empty() && changed_roles.empty() && progress.empty() && changes.empty() &&
               changes_unlisted == 0;
    }
};

// Receives every committed LiveBatch, in commit order.
class LiveSink {
public:
    virtual ~LiveSink() = default;
    virtual void committed(LiveBatch const& batch) = 0;
};

// An invite made in a transaction; its token leaves the process only once that commits.
struct IssuedInvite {
    UserRecord user;
    std::string token;
    Instant expires_at;
};

// Everything a write transaction tells others. The store collects it as the transaction goes
// (rows it writes: notifications; facts: sessions ended, roles changed; and what use cases
// record: invites) and publishes it only after COMMIT, in commit order; a transaction that rolls
// back publishes nothing. `live` reaches every process (LiveSink, through LISTEN/NOTIFY on
// PostgreSQL); the rest reaches the committing process's EffectSink.
struct Effects {
    LiveBatch live;
    std::vector<IssuedInvite> invites;
    bool empty() const { return live.empty() && invites.empty(); }
};

// Receives the Effects of every committed transaction that recorded a local effect (an invite),
// in commit order, on the committing thread; transactions with live events only are not handed
// over here (their LiveBatch reaches the LiveSink), so the sink costs plain writes nothing.
class EffectSink {
public:
    virtual ~EffectSink() = default;
    virtual void committed(TxContext const& context, Effects const& effects) = 0;
};

// One unit of work. Destroyed without commit() it rolls back. Methods throw only on broken
// infrastructure (lost connection, disk full); expected outcomes come back as values. Each
// aggregate's queries are reached through its own port (one interface and one store file each),
// so a new subsystem adds a port instead of growing this class.
class Tx {
public:
    virtual ~Tx() = default;

    virtual UserRepo& users() = 0;
    virtual SessionRepo& sessions() = 0;
    virtual RoleRepo& roles() = 0;
    virtual ProfileRepo& profiles() = 0;
    virtual DocumentRepo& documents() = 0;
    virtual NotificationRepo& notifications() = 0;
    virtual JobRepo& jobs() = 0;
    virtual AuditRepo& audit() = 0;
    virtual EmailRepo& email() = 0;
    virtual BulkRepo& bulk() = 0;
    virtual ReportRepo& reports() = 0;

    // Checks that read many rows before writing: writers of one kind must not interleave, or
    // two changes that each pass (no cycle; email free) could together break the rule.
    enum class Lock { roles, managers, user_emails, sla_scan, bulk_keys };
    // Serializes this write Tx against every other writer holding `what` until it ends (a no-op
    // on SQLite, where write transactions are serialized anyway).
    virtual void serialize(Lock what) = 0;

    // Who this transaction acts for (given to Store::begin).
    virtual TxContext const& context() const = 0;
    // An invite to hand out once this transaction commits (never if it rolls back).
    virtual void record_invite(IssuedInvite invite) = 0;

    // One item of a bulk batch: savepoint() marks where it starts; rollback_to_savepoint()
    // undoes everything since (its rows, and the live events and invites it collected) and
    // release_savepoint() keeps it. One level: each savepoint is released or rolled back before
    // the next.
    virtual void savepoint() = 0;
    virtual void rollback_to_savepoint() = 0;
    virtual void release_savepoint() = 0;

    // Makes every change visible at once; the Tx is finished afterwards.
    virtual void commit() = 0;
};

enum class TxMode { read, write };

struct PoolStats {
    int size = 0;
    int in_use = 0;
    std::int64_t waits = 0;
};

class Store {
public:
    virtual ~Store() = default;
    // Starts a unit of work acting for `context`; write units are serialized on SQLite.
    virtual std::unique_ptr<Tx> begin(TxMode mode, TxContext context) = 0;
    // A unit of work of the system (no actor, no request).
    std::unique_ptr<Tx> begin(TxMode mode) { return begin(mode, TxContext{}); }
    // "sqlite" or "postgresql".
    virtual std::string backend() const = 0;
    // True when a trivial query succeeds.
    virtual bool ping() = 0;
    // The highest applied migration, and the highest this binary knows.
    virtual int schema_version() = 0;
    virtual int latest_schema_version() const = 0;
    virtual PoolStats pool_stats() const = 0;
    // Where committed LiveBatches go (nullptr: nowhere). Set before serving; the sink is
    // called in commit order, after COMMIT: on SQLite from the committing thread, on
    // PostgreSQL from a listener thread that also receives the batches of other processes.
    virtual void set_live_sink(LiveSink* sink) = 0;
    // Where the local part of committed Effects goes (nullptr: nowhere). Set before serving.
    virtual void set_effect_sink(EffectSink* sink) = 0;
    // The audit chain's sealing steps (audit/writer uses them).
    virtual AuditLog& audit_log() = 0;
};

// Content-addressed document storage on disk.
class BlobStore {
public:
    virtual ~BlobStore() = default;
    // A new empty file to stream an upload into (under the data dir, same file system).
    virtual std::string temp_path() = 0;
    // The MIME type sniffed from the file's content (libmagic), never from its name.
    virtual std::string sniff(std::string const& path) = 0;
    // Moves a complete, fsynced temporary file to its content address (SHA-256); a blob that
    // exists already is kept and the temporary file removed.
    virtual void put(std::string const& temp_path, std::string const& sha256) = 0;
    // Where the blob with this SHA-256 lives.
    virtual std::string path_of(std::string const& sha256) const = 0;
    virtual void remove_temp(std::string const& temp_path) = 0;
};

class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
public:
    Instant now() const override;
};

}  // namespace hrms::app
