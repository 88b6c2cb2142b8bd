#pragma once
// The ports the use cases need: Store + Tx (persistence) and Clock. Adapters live in store/;
// tests use a real SQLite file or a real PostgreSQL, never an in-memory fake.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hrms/app/jobs.hpp"
#include "hrms/core/onboarding.hpp"
#include "hrms/core/role_graph.hpp"
#include "hrms/core/time.hpp"

namespace hrms::app {

using UserId = std::int64_t;

struct UserRecord {
    UserId id = 0;
    std::string email;
    std::string name;
    std::string status;  // active | invited | suspended
    std::optional<std::string> password_hash;
    std::optional<UserId> manager_id;
    std::vector<std::string> roles;  // sorted
    int failed_logins = 0;
    std::optional<std::string> locked_until;
    std::string created_at;
    std::string updated_at;
};

struct NewUser {
    std::string email;
    std::string name;
    std::string status;
    std::optional<std::string> password_hash;
    std::vector<std::string> roles;
    std::string now;
};

struct UserQuery {
    std::optional<std::string> role;
    std::optional<std::string> text;  // substring of name or email, case-insensitive
    std::optional<UserId> after_id;   // keyset cursor
    int limit = 50;
};

struct SessionRecord {
    std::string token_hash;
    UserId user_id = 0;
    std::string csrf;
    std::string created_at;
    std::string expires_at;
    std::string last_seen_at;
    std::string ip;
    std::string user_agent;
};

// What one authenticated request needs, read in one query.
struct SessionView {
    SessionRecord session;
    UserRecord user;
    std::int64_t roles_version = 0;
};

struct InviteRecord {
    std::string token_hash;
    UserId user_id = 0;
    std::string expires_at;
    std::optional<std::string> used_at;
};

struct RoleRecord {
    std::string name;
    std::string description;
    bool builtin = false;
    std::set<std::string> permissions;
    std::vector<std::string> inherits;  // sorted
    std::string created_at;
    std::string updated_at;
};

using ProfileId = std::int64_t;
using DocumentId = std::int64_t;

struct ProfileRecord {
    ProfileId id = 0;
    UserId user_id = 0;
    core::ProfileState state;
    int progress = 0;
    core::Details details;
    std::optional<UserId> assignee_id;
    std::optional<std::string> submitted_at;
    std::optional<std::string> sla_due_at;
    std::string created_at;
    std::string updated_at;
    // The employee's account, joined for lists.
    std::string email;
    std::string name;
};

struct QueueQuery {
    std::optional<core::Stage> stage;
    std::optional<core::StageStatus> status;
    std::optional<bool> overdue;  // true: sla_due_at < now; false: not overdue
    std::optional<UserId> assignee;
    std::optional<std::string> text;  // substring of name or email
    // Only profiles whose current stage's SLA clock has not had its admin.urgent_review.
    bool urgent_unsent = false;
    std::optional<ProfileId> after_id;
    int limit = 50;
    std::string now;
};

struct HistoryRecord {
    std::int64_t id = 0;
    ProfileId profile_id = 0;
    std::optional<UserId> actor_id;
    std::string at;
    std::string from_stage, from_status, to_stage, to_status;
    std::optional<std::string> decision;
    std::optional<std::string> reason;
};

struct DocumentTypeRecord {
    std::string code;
    std::string name;
    bool required = false;
    std::int64_t max_bytes = 0;
    std::vector<std::string> allowed_mime;
};

struct DocumentRecord {
    DocumentId id = 0;
    ProfileId profile_id = 0;
    std::string type;
    std::string filename;
    std::int64_t size = 0;
    std::string sha256;
    std::string mime;
    std::string status;  // pending | approved | rejected
    bool is_current = true;
    std::optional<UserId> uploaded_by;
    std::string uploaded_at;
    std::optional<UserId> reviewed_by;
    std::optional<std::string> reviewed_at;
    std::optional<std::string> review_reason;
};

// Who a write transaction acts for, given when it begins: every row it writes that records an
// event carries them (notifications and stage history now; audit entries and outbox messages
// next), so that one request's traces can be put together.
struct TxContext {
    std::optional<UserId> actor;  // none: the system (a background job, the command line)
    std::string request_id;       // the HTTP request's X-Request-Id; empty outside a request
};

struct NotificationRecord {
    std::int64_t id = 0;
    std::string channel;  // user:<id> | admins | role:<name>
    std::string kind;
    std::string title;
    std::string body;
    std::string data_json = "{}";
    std::string created_at;
    bool read = false;
};

// What live (WebSocket) sessions must learn once a write Tx commits. The store collects it from
// the Tx's own writes (a notification inserted, a session deleted, a user suspended, roles
// changed), so no use case can forget to tell them.
struct LiveBatch {
    std::vector<NotificationRecord> notifications;  // ascending ids
    std::vector<std::string> ended_sessions;        // token hashes (logout)
    std::vector<UserId> blocked_users;              // suspended: every session of theirs ends
    std::vector<UserId> changed_users;              // their roles changed
    std::vector<std::string> changed_roles;         // a role's permissions or parents changed
    bool empty() const {
        return notifications.empty() && ended_sessions.empty() && blocked_users.empty() &&
               changed_users.empty() && changed_roles.empty();
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
    std::string expires_at;
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
// infrastructure (lost connection, disk full); expected outcomes come back as values.
class Tx {
public:
    virtual ~Tx() = default;

    // Checks that read many rows before writing: writers of one kind must not interleave, or
    // two changes that each pass (no cycle; email free) could together break the rule.
    enum class Lock { roles, managers, user_emails, sla_scan };
    // Serializes this write Tx against every other writer holding `what` until it ends (a no-op
    // on SQLite, where write transactions are serialized anyway).
    virtual void serialize(Lock what) = 0;

    // Job leases and runs (jobs/), on this transaction.
    virtual JobRepo& jobs() = 0;

    // Who this transaction acts for (given to Store::begin).
    virtual TxContext const& context() const = 0;
    // An invite to hand out once this transaction commits (never if it rolls back).
    virtual void record_invite(IssuedInvite invite) = 0;

    // Users.
    virtual std::optional<UserRecord> user_by_id(UserId id) = 0;
    virtual std::optional<UserRecord> user_by_email(std::string const& email) = 0;
    // Inserts the user and their roles; returns the new id.
    virtual UserId insert_user(NewUser const& user) = 0;
    // Users matching the query, by ascending id, at most query.limit of them.
    virtual std::vector<UserRecord> list_users(UserQuery const& query) = 0;
    virtual void set_user_roles(UserId id, std::vector<std::string> const& roles,
                                std::string const& now) = 0;
    virtual void set_user_status(UserId id, std::string const& status, std::string const& now) = 0;
    virtual void set_user_name(UserId id, std::string const& name, std::string const& now) = 0;
    virtual void set_manager(UserId id, std::optional<UserId> manager, std::string const& now) = 0;
    // The manager chain starting at `start`, as links (at most `limit` of them).
    virtual core::ManagerLinks manager_chain(UserId start, int limit) = 0;
    // Failed logins for one email (as a key) from one address since `since`: how many and
    // when the last was; nullopt when none.
    struct LoginFailures {
        int failures = 0;
        std::string last_at;
    };
    virtual std::optional<LoginFailures> login_failures(std::string const& email_key, std::string const& ip,
                                                        std::string const& since) = 0;
    // How many distinct addresses failed to log in as `email_key` since `since`.
    virtual int login_failure_addresses(std::string const& email_key, std::string const& since) = 0;
    // Counts one more failure (a count older than `since` starts again at one); forgets every
    // failure older than `since`.
    virtual void record_login_failure(std::string const& email_key, std::string const& ip,
                                      std::string const& now, std::string const& since) = 0;
    // Forgets the failures of `email_key` from `ip` (after a successful login).
    virtual void clear_login_failures(std::string const& email_key, std::string const& ip) = 0;
    virtual void set_password(UserId id, std::string const& hash, std::string const& now) = 0;
    // True when some active user holds the admin role.
    virtual bool admin_exists() = 0;
    // Users holding `role` directly, whatever their status.
    virtual std::int64_t count_users_with_role(std::string const& role) = 0;
    // Active users holding the admin role.
    virtual std::int64_t count_active_admins() = 0;

    // Sessions.
    virtual void insert_session(SessionRecord const& session) = 0;
    virtual std::optional<SessionView> session_by_hash(std::string const& token_hash) = 0;
    virtual void touch_session(std::string const& token_hash, std::string const& expires_at,
                               std::string const& last_seen_at) = 0;
    virtual void delete_session(std::string const& token_hash) = 0;
    // Removes every session of the user; returns how many.
    virtual std::int64_t delete_user_sessions(UserId id) = 0;
    // Removes every session of the user as logouts (their sockets learn 4001, signed out, where
    // delete_user_sessions says 4003, suspended); returns how many.
    virtual std::int64_t end_user_sessions(UserId id) = 0;
    virtual std::int64_t delete_expired_sessions(std::string const& now) = 0;

    // Invites.
    virtual void insert_invite(InviteRecord const& invite, std::string const& now) = 0;
    virtual std::optional<InviteRecord> invite_by_hash(std::string const& token_hash) = 0;
    virtual void mark_invite_used(std::string const& token_hash, std::string const& now) = 0;

    // Roles. Changing any role bumps the roles version that SessionView carries.
    virtual std::vector<RoleRecord> list_roles() = 0;
    virtual std::optional<RoleRecord> role(std::string const& name) = 0;
    virtual void upsert_role(RoleRecord const& role) = 0;
    virtual void delete_role(std::string const& name) = 0;
    virtual std::int64_t roles_version() = 0;

    // Profiles.
    virtual ProfileId insert_profile(UserId user, std::string const& search, std::string const& now) = 0;
    // In a write Tx these lock the profile's row until the Tx ends (PostgreSQL; SQLite
    // serializes writers anyway), so two decisions on one stage cannot both pass the check.
    virtual std::optional<ProfileRecord> profile_by_id(ProfileId id) = 0;
    virtual std::optional<ProfileRecord> profile_by_user(UserId user) = 0;
    // Writes state, progress, details, assignee, submitted_at, sla_due_at and updated_at.
    virtual void update_profile(ProfileRecord const& p) = 0;
    // The review queue page by ascending id, at most query.limit rows.
    virtual std::vector<ProfileRecord> list_profiles(QueueQuery const& query) = 0;
    virtual std::optional<core::SlaClock> sla_clock(ProfileId id, core::Stage stage) = 0;
    virtual void save_sla_clock(ProfileId id, core::SlaClock const& clock) = 0;
    virtual void insert_history(HistoryRecord const& h) = 0;
    virtual std::vector<HistoryRecord> history(ProfileId id) = 0;

    // Documents.
    virtual std::vector<DocumentTypeRecord> document_types() = 0;
    // Current documents of a profile (or every version with `all_versions`), in document-type
    // order, then by id.
    virtual std::vector<DocumentRecord> documents_of(ProfileId id, bool all_versions) = 0;
    virtual std::optional<DocumentRecord> document_by_id(DocumentId id) = 0;
    // Marks the current document of that type (if any) as an old version, inserts `d` as
    // current and returns its id.
    virtual DocumentId insert_document(DocumentRecord const& d) = 0;
    virtual void review_document(DocumentId id, std::string const& status, UserId reviewer,
                                 std::string const& at, std::string const& reason) = 0;

    // Notifications.
    virtual std::int64_t insert_notification(NotificationRecord const& n) = 0;
    // Rows on any of `channels` with id > after, ascending, at most `limit`, with read flags
    // for `reader`.
    virtual std::vector<NotificationRecord> notifications(std::vector<std::string> const& channels,
                                                          std::int64_t after, int limit,
                                                          UserId reader) = 0;
    virtual std::optional<NotificationRecord> notification(std::int64_t id) = 0;
    virtual void mark_read(UserId reader, std::int64_t id) = 0;
    // Everything on `channels` up to now becomes read; returns the new watermark.
    virtual std::int64_t mark_all_read(UserId reader, std::vector<std::string> const& channels) = 0;
    virtual std::int64_t unread_count(UserId reader, std::vector<std::string> const& channels) = 0;
    // Notifications (any channel) with first <= id <= last, by ascending id (descending when
    // `newest_first`), at most `limit`; read flags unset.
    virtual std::vector<NotificationRecord> notifications_between(std::int64_t first, std::int64_t last,
                                                                  int limit, bool newest_first) = 0;
    // The newest notification id on any of `channels` (0 when none).
    virtual std::int64_t last_notification_id(std::vector<std::string> const& channels) = 0;

    // Profiles counted by (stage, status), for the admin dashboard.
    struct StageCount {
        std::string stage, status;
        std::int64_t count = 0;
    };
    virtual std::vector<StageCount> profile_counts() = 0;

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
