#pragma once
// The users-and-sessions port: accounts, login throttling, sign-in sessions and invites.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/core/accounts.hpp"
#include "hrms/core/role_graph.hpp"
#include "hrms/core/time.hpp"

namespace hrms::app {

using UserId = std::int64_t;

struct UserRecord {
    UserId id = 0;
    std::string email;
    std::string name;
    core::UserStatus status = core::UserStatus::active;
    std::optional<std::string> password_hash;
    std::optional<UserId> manager_id;
    std::vector<std::string> roles;  // sorted
    int failed_logins = 0;
    std::optional<Instant> locked_until;
    Instant created_at;
    Instant updated_at;
};

struct NewUser {
    std::string email;
    std::string name;
    core::UserStatus status = core::UserStatus::active;
    std::optional<std::string> password_hash;
    std::vector<std::string> roles;
    Instant now;
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
    Instant created_at;
    Instant expires_at;
    Instant last_seen_at;
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
    Instant expires_at;
    std::optional<Instant> used_at;
};

// Accounts on one transaction.
class UserRepo {
public:
    virtual ~UserRepo() = default;
    virtual std::optional<UserRecord> by_id(UserId id) = 0;
    virtual std::optional<UserRecord> by_email(std::string const& email) = 0;
    // Inserts the user and their roles; returns the new id.
    virtual UserId insert(NewUser const& user) = 0;
    // Users matching the query, by ascending id, at most query.limit of them.
    virtual std::vector<UserRecord> list(UserQuery const& query) = 0;
    virtual void set_roles(UserId id, std::vector<std::string> const& roles, Instant now) = 0;
    virtual void set_status(UserId id, core::UserStatus status, Instant now) = 0;
    virtual void set_name(UserId id, std::string const& name, Instant now) = 0;
    virtual void set_manager(UserId id, std::optional<UserId> manager, Instant now) = 0;
    virtual void set_password(UserId id, std::string const& hash, Instant now) = 0;
    // The manager chain starting at `start`, as links (at most `limit` of them).
    virtual core::ManagerLinks manager_chain(UserId start, int limit) = 0;
    // True when some active user holds the admin role.
    virtual bool admin_exists() = 0;
    // Users holding `role` directly, whatever their status.
    virtual std::int64_t count_with_role(std::string const& role) = 0;
    // Active users holding the admin role.
    virtual std::int64_t count_active_admins() = 0;

    // Failed logins for one email (as a key) from one address since `since`: how many and
    // when the last was; nullopt when none.
    struct LoginFailures {
        int failures = 0;
        Instant last_at;
    };
    virtual std::optional<LoginFailures> login_failures(std::string const& email_key, std::string const& ip,
                                                        Instant since) = 0;
    // How many distinct addresses failed to log in as `email_key` since `since`.
    virtual int login_failure_addresses(std::string const& email_key, Instant since) = 0;
    // Counts one more failure (a count older than `since` starts again at one); forgets every
    // failure older than `since`.
    virtual void record_login_failure(std::string const& email_key, std::string const& ip,
                                      Instant now, Instant since) = 0;
    // Forgets the failures of `email_key` from `ip` (after a successful login).
    virtual void clear_login_failures(std::string const& email_key, std::string const& ip) = 0;
};

// Sign-in sessions and invites on one transaction.
class SessionRepo {
public:
    virtual ~SessionRepo() = default;
    virtual void insert(SessionRecord const& session) = 0;
    virtual std::optional<SessionView> by_hash(std::string const& token_hash) = 0;
    virtual void touch(std::string const& token_hash, Instant expires_at, Instant last_seen_at) = 0;
    // Ends one session as a logout.
    virtual void remove(std::string const& token_hash) = 0;
    // Removes every session of the user, whose sockets learn 4003 (suspended); returns how many.
    virtual std::int64_t revoke_all(UserId id) = 0;
    // Removes every session of the user as logouts (their sockets learn 4001, signed out);
    // returns how many.
    virtual std::int64_t end_all(UserId id) = 0;
    virtual std::int64_t remove_expired(Instant now) = 0;

    virtual void insert_invite(InviteRecord const& invite, Instant now) = 0;
    virtual std::optional<InviteRecord> invite_by_hash(std::string const& token_hash) = 0;
    virtual void mark_invite_used(std::string const& token_hash, Instant now) = 0;
};

}  // namespace hrms::app
