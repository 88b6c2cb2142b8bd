#pragma once
// User administration: create (with password or invite), read, list, roles, status, managers.
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"

namespace hrms::app {

struct CreateUserInput {
    std::string email;
    std::string name;
    std::optional<std::vector<std::string>> roles;  // default: employee
    std::optional<std::string> password;            // none: an invite is made
};

struct CreatedUser {
    UserRecord user;
    std::optional<Instant> invite_expires_at;
};

struct UpdateUserInput {
    std::optional<std::string> name;
    std::optional<std::string> status;  // active | suspended
};

struct UserPage {
    std::vector<UserRecord> items;
    std::optional<UserId> next_after;
};

inline constexpr int kMaxPageSize = 200;

// Invites (HRMS_INVITE_TTL_HOURS).
struct InvitePolicy {
    double invite_ttl_hours = 72;
};

class Users {
public:
    // An invite's token is recorded on the transaction (Tx::record_invite) and handed out by the
    // store's EffectSink once it commits.
    // With a `mailer`, the invite's link is also mailed (queued in the creating transaction).
    Users(Store& store, Clock const& clock, InvitePolicy const& invites, Mailer const* mailer = nullptr);

    // The new user; conflict if the email is taken, validation_failed naming the bad field,
    // forbidden when the roles would grant a permission the actor does not hold.
    Result<CreatedUser> create(Actor const& actor, CreateUserInput const& input);
    // Creation without an actor, for the CLI and the first admin.
    Result<CreatedUser> create_as_system(CreateUserInput const& input);
    // One user: anyone may read themselves; others need users.read (else not_found).
    Result<UserRecord> get(Actor const& actor, UserId id);
    Result<UserPage> list(Actor const& actor, UserQuery query);
    // Sets or clears the manager; cycle (with the loop's ids) when it would make a loop;
    // forbidden when the user holds a permission the actor does not.
    Result<UserRecord> set_manager(Actor const& actor, UserId id, std::optional<UserId> manager);
    // The same in the caller's `tx` (a bulk job's batch): the cycle check sees the links the
    // batch wrote before.
    Result<UserRecord> set_manager_in(Tx& tx, Actor const& actor, UserId id, std::optional<UserId> manager);
    // Replaces the user's roles; conflict when it would leave no active admin; forbidden when
    // the user holds a permission the actor does not, or the new roles would grant one.
    Result<UserRecord> set_roles(Actor const& actor, UserId id, std::vector<std::string> roles);
    // The same in the caller's `tx` (a bulk job's batch).
    Result<UserRecord> set_roles_in(Tx& tx, Actor const& actor, UserId id, std::vector<std::string> roles);
    // Ends every session of the user (their sockets close with 4001); how many there were;
    // forbidden when the user holds a permission the actor does not.
    Result<std::int64_t> end_sessions(Actor const& actor, UserId id);
    // Renames or suspends/reactivates; suspending ends every session of the user; forbidden
    // when the user holds a permission the actor does not.
    Result<UserRecord> update(Actor const& actor, UserId id, UpdateUserInput const& input);
    // Creates HRMS_ADMIN_EMAIL as an admin when no active admin exists; true if it did.
    Result<bool> ensure_admin(std::string const& email, std::string const& password);

private:
    // `actor` null: the system (CLI, first admin) acts, and may grant anything.
    Result<CreatedUser> create_checked(CreateUserInput const& input, Actor const* actor);

    Store& store_;
    Clock const& clock_;
    InvitePolicy const& invites_;
    Mailer const* mailer_;
};

}  // namespace hrms::app
