#include "hrms/app/users.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "hrms/app/audit.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/app/paging.hpp"
#include "hrms/core/accounts.hpp"

namespace hrms::app {

namespace {
// Sorted, deduplicated, each an existing role; validation_failed naming roles[i] otherwise.
Result<std::vector<std::string>> check_roles(Tx& tx, std::vector<std::string> roles) {
    if (roles.empty()) return invalid_field("roles", "at least one role is required");
    for (std::size_t i = 0; i < roles.size(); ++i) {
        if (!tx.roles().find(roles[i]))
            return invalid_field("roles[" + std::to_string(i) + "]", "unknown role " + roles[i]);
    }
    std::sort(roles.begin(), roles.end());
    roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
    return roles;
}

bool is_admin(std::vector<std::string> const& roles) {
    return std::find(roles.begin(), roles.end(), "admin") != roles.end();
}

std::unexpected<Error> no_user() { return fail(ErrorCode::not_found, "user not found"); }
}  // namespace

Users::Users(Store& store, Clock const& clock, InvitePolicy const& invites, Mailer const* mailer)
    : store_(store), clock_(clock), invites_(invites), mailer_(mailer) {}

Result<CreatedUser> Users::create(Actor const& actor, CreateUserInput const& input) {
    TRY_VOID(require(actor, core::perm::users_write));
    return create_checked(input, &actor);
}

Result<CreatedUser> Users::create_as_system(CreateUserInput const& input) {
    return create_checked(input, nullptr);
}

Result<CreatedUser> Users::create_checked(CreateUserInput const& input, Actor const* actor) {
    auto const email = TRY(core::normalize_email(input.email));
    auto const name = TRY(core::normalize_name(input.name));
    std::optional<std::string> phc;
    if (input.password) {
        TRY_VOID(core::check_password_policy(*input.password, email));
        phc = hash_password(*input.password);
    }
    auto const now = clock_.now();

    auto tx = store_.begin(TxMode::write, actor ? context_of(*actor) : TxContext{});
    tx->serialize(Tx::Lock::user_emails);  // two creates of one email: the second sees the first
    auto roles = TRY(check_roles(*tx, input.roles.value_or(std::vector<std::string>{"employee"})));
    if (actor) TRY_VOID(check_grantable(*actor, PermissionView(*tx), roles, "grant roles"));
    if (tx->users().by_email(email))
        return fail(ErrorCode::conflict, "a user with this email already exists",
                    "{\"field\":\"email\"}");
    NewUser nu{email, name, phc ? core::UserStatus::active : core::UserStatus::invited, phc, roles, now};
    auto const id = tx->users().insert(nu);
    // Employees are onboarded: their profile is created with the account.
    if (std::find(roles.begin(), roles.end(), "employee") != roles.end())
        tx->profiles().insert(id, now);

    CreatedUser out;
    std::string token;
    if (!phc) {
        token = random_token();
        InviteRecord invite{sha256_hex(token), id, now.plus_seconds(invites_.invite_ttl_hours * 3600), std::nullopt};
        tx->sessions().insert_invite(invite, now);
        out.invite_expires_at = invite.expires_at;
    }
    out.user = *tx->users().by_id(id);
    auto entry = domain_entry(now, core::AuditCategory::admin, "user.create", "user", std::to_string(id));
    entry.after = json_members({{"email", json_quote(out.user.email)},
                                {"name", json_quote(out.user.name)},
                                {"status", json_quote(core::to_string(out.user.status))},
                                {"roles", json_quote_list(out.user.roles)}});
    tx->audit().record(std::move(entry));
    // The token leaves the process only once the account exists: after COMMIT (the mail is
    // queued in this transaction and sent after it). In the link's fragment, the token never
    // reaches a server's access log or a Referer header.
    if (!token.empty()) {
        if (mailer_) {
            TRY(mailer_->queue(*tx, "invite", {out.user.email, out.user.name, out.user.id},
                               {{"invite_url", mailer_->identity().public_url + "/invite#token=" + token},
                                {"expires_at", to_rfc3339(*out.invite_expires_at)}},
                               /*essential=*/true));
        }
        tx->record_invite({out.user, token, *out.invite_expires_at});
    }
    tx->commit();
    return out;
}

Result<UserRecord> Users::get(Actor const& actor, UserId id) {
    // Employees see only themselves: for anyone else's id the user "does not exist".
    if (id != actor.id && !actor.can(core::perm::users_read)) return no_user();
    auto tx = store_.begin(TxMode::read);
    auto user = tx->users().by_id(id);
    if (!user) return no_user();
    return std::move(*user);
}

Result<UserPage> Users::list(Actor const& actor, UserQuery query) {
    TRY_VOID(require(actor, core::perm::users_read));
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return invalid_field("limit", "limit must be between 1 and 200");
    int const want = query.limit;
    query.limit = want + 1;  // one extra row tells whether there is a next page
    auto tx = store_.begin(TxMode::read);
    UserPage page;
    page.items = tx->users().list(query);
    page.next_after = trim_to_page(page.items, want);
    return page;
}

Result<UserRecord> Users::set_manager(Actor const& actor, UserId id, std::optional<UserId> manager) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto updated = TRY(set_manager_in(*tx, actor, id, manager));
    tx->commit();
    return updated;
}

Result<UserRecord> Users::set_manager_in(Tx& tx, Actor const& actor, UserId id, std::optional<UserId> manager) {
    TRY_VOID(require(actor, core::perm::users_write));
    tx.serialize(Tx::Lock::managers);
    auto user = tx.users().by_id(id);
    if (!user) return no_user();
    TRY_VOID(check_outranks(actor, PermissionView(tx), user->roles));
    if (manager) {
        if (!tx.users().by_id(*manager))
            return invalid_field("manager_id", "manager " + std::to_string(*manager) + " does not exist");
        auto const loop = core::manager_cycle(tx.users().manager_chain(*manager, 10'000), id, *manager);
        if (!loop.empty()) {
            std::string path_json = "[", text;
            for (std::size_t i = 0; i < loop.size(); ++i) {
                path_json += (i ? "," : "") + std::to_string(loop[i]);
                text += (i ? " -> " : "") + std::to_string(loop[i]);
            }
            return fail(ErrorCode::cycle, "manager links would form a cycle: " + text,
                        "{\"field\":\"manager_id\",\"path\":" + path_json + "]}");
        }
    }
    tx.users().set_manager(id, manager, clock_.now());
    auto updated = *tx.users().by_id(id);
    auto entry = domain_entry(clock_.now(), core::AuditCategory::admin, "user.manager", "user", std::to_string(id));
    auto id_json = [](std::optional<UserId> m) { return m ? std::to_string(*m) : std::string("null"); };
    entry.before = json_members({{"manager_id", id_json(user->manager_id)}});
    entry.after = json_members({{"manager_id", id_json(manager)}});
    tx.audit().record(std::move(entry));
    return updated;
}

Result<UserRecord> Users::set_roles(Actor const& actor, UserId id, std::vector<std::string> roles) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto updated = TRY(set_roles_in(*tx, actor, id, std::move(roles)));
    tx->commit();
    return updated;
}

Result<UserRecord> Users::set_roles_in(Tx& tx, Actor const& actor, UserId id, std::vector<std::string> roles) {
    TRY_VOID(require(actor, core::perm::roles_manage));
    auto user = tx.users().by_id(id);
    if (!user) return no_user();
    PermissionView const view(tx);
    TRY_VOID(check_outranks(actor, view, user->roles));
    roles = TRY(check_roles(tx, std::move(roles)));
    TRY_VOID(check_grantable(actor, view, roles, "grant roles"));
    if (is_admin(user->roles) && !is_admin(roles) && user->status == core::UserStatus::active &&
        tx.users().count_active_admins() <= 1)
        return fail(ErrorCode::conflict, "this would leave no admin");
    auto const ts = clock_.now();
    tx.users().set_roles(id, roles, ts);
    if (std::find(roles.begin(), roles.end(), "employee") != roles.end() && !tx.profiles().by_user(id))
        tx.profiles().insert(id, ts);
    auto updated = *tx.users().by_id(id);
    auto entry = domain_entry(ts, core::AuditCategory::admin, "user.roles", "user", std::to_string(id));
    entry.before = json_members({{"roles", json_quote_list(user->roles)}});
    entry.after = json_members({{"roles", json_quote_list(updated.roles)}});
    tx.audit().record(std::move(entry));
    return updated;
}

Result<UserRecord> Users::update(Actor const& actor, UserId id, UpdateUserInput const& input) {
    TRY_VOID(require(actor, core::perm::users_write));
    std::optional<std::string> name;
    if (input.name) name = TRY(core::normalize_name(*input.name));
    std::optional<core::UserStatus> status;
    if (input.status) status = core::parse_user_status(*input.status);
    if (input.status && status != core::UserStatus::active && status != core::UserStatus::suspended)
        return invalid_field("status", "status must be active or suspended");
    if (status == core::UserStatus::suspended && id == actor.id)
        return fail(ErrorCode::conflict, "you cannot suspend yourself");
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto user = tx->users().by_id(id);
    if (!user) return no_user();
    TRY_VOID(check_outranks(actor, PermissionView(*tx), user->roles));
    auto const ts = clock_.now();
    if (name) tx->users().set_name(id, *name, ts);
    if (status && *status != user->status) {
        if (*status == core::UserStatus::active && user->status == core::UserStatus::invited)
            return fail(ErrorCode::conflict, "an invited user becomes active by accepting the invite");
        if (*status == core::UserStatus::suspended && is_admin(user->roles) &&
            tx->users().count_active_admins() <= 1)
            return fail(ErrorCode::conflict, "this would leave no admin");
        tx->users().set_status(id, *status, ts);
        if (*status == core::UserStatus::suspended) tx->sessions().revoke_all(id);
        auto entry = domain_entry(ts, core::AuditCategory::admin,
                                  *status == core::UserStatus::suspended ? "user.suspend" : "user.reactivate", "user",
                                  std::to_string(id));
        entry.level = *status == core::UserStatus::suspended ? core::AuditLevel::warning : core::AuditLevel::info;
        entry.before = json_members({{"status", json_quote(core::to_string(user->status))}});
        entry.after = json_members({{"status", json_quote(core::to_string(*status))}});
        tx->audit().record(std::move(entry));
    }
    if (name && *name != user->name) {
        auto entry = domain_entry(ts, core::AuditCategory::admin, "user.rename", "user", std::to_string(id));
        entry.before = json_members({{"name", json_quote(user->name)}});
        entry.after = json_members({{"name", json_quote(*name)}});
        tx->audit().record(std::move(entry));
    }
    auto updated = *tx->users().by_id(id);
    tx->commit();
    return updated;
}

Result<std::int64_t> Users::end_sessions(Actor const& actor, UserId id) {
    TRY_VOID(require(actor, core::perm::users_write));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto user = tx->users().by_id(id);
    if (!user) return no_user();
    TRY_VOID(check_outranks(actor, PermissionView(*tx), user->roles));
    auto const ended = tx->sessions().end_all(id);
    auto entry = domain_entry(clock_.now(), core::AuditCategory::security, "user.sessions_ended", "user", std::to_string(id));
    entry.details = json_members({{"sessions", std::to_string(ended)}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return ended;
}

Result<bool> Users::ensure_admin(std::string const& email, std::string const& password) {
    {
        auto tx = store_.begin(TxMode::read);
        if (tx->users().admin_exists()) return false;
    }
    TRY(create_checked({email, "Administrator", std::vector<std::string>{"admin"}, password}, nullptr));
    return true;
}

}  // namespace hrms::app
