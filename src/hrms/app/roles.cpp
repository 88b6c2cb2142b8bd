#include "hrms/app/roles.hpp"

#include <algorithm>

#include "hrms/app/audit.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/role_graph.hpp"

namespace hrms::app {

namespace {
std::unexpected<Error> no_role(std::string const& name) {
    return fail(ErrorCode::not_found, "role " + name + " not found");
}
}  // namespace

Roles::Roles(Store& store, Clock const& clock) : store_(store), clock_(clock) {}

Result<std::vector<RoleRecord>> Roles::list(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::users_read));
    auto tx = store_.begin(TxMode::read);
    return tx->roles().list();
}

Result<RoleRecord> Roles::get(Actor const& actor, std::string const& name) {
    TRY_VOID(require(actor, core::perm::users_read));
    auto tx = store_.begin(TxMode::read);
    auto role = tx->roles().find(name);
    if (!role) return no_role(name);
    return std::move(*role);
}

Result<RoleRecord> Roles::create(Actor const& actor, RoleInput const& input) {
    return save(actor, input, true);
}

Result<RoleRecord> Roles::update(Actor const& actor, RoleInput const& input) {
    return save(actor, input, false);
}

namespace {
// A role's grants as an audit entry's before or after.
std::string role_json(RoleRecord const& r) {
    return json_members({{"permissions", json_quote_list({r.permissions.begin(), r.permissions.end()})},
                         {"inherits", json_quote_list(r.inherits)}});
}
}  // namespace

Result<RoleRecord> Roles::save(Actor const& actor, RoleInput const& input, bool creating) {
    TRY_VOID(require(actor, core::perm::roles_manage));
    TRY_VOID(core::check_role_name(input.name));
    if (input.description && input.description->size() > 1000)
        return invalid_field("description", "description is too long");
    std::set<std::string> perms;
    if (input.permissions) {
        for (std::size_t i = 0; i < input.permissions->size(); ++i) {
            auto const& p = (*input.permissions)[i];
            if (!core::known_permissions().contains(p))
                return invalid_field("permissions[" + std::to_string(i) + "]",
                                     "unknown permission " + p);
            perms.insert(p);
        }
    }
    auto tx = store_.begin(TxMode::write, context_of(actor));
    tx->serialize(Tx::Lock::roles);
    auto existing = tx->roles().find(input.name);
    RoleRecord role;
    auto const ts = clock_.now();
    if (creating) {
        if (existing) return fail(ErrorCode::conflict, "role " + input.name + " already exists",
                                  "{\"field\":\"name\"}");
        role.name = input.name;
        role.created_at = ts;
    } else {
        if (!existing) return no_role(input.name);
        if (existing->builtin)
            return fail(ErrorCode::conflict, "built-in role " + input.name + " cannot be changed");
        role = std::move(*existing);
    }
    role.updated_at = ts;
    if (input.description) role.description = *input.description;
    if (input.permissions) role.permissions = std::move(perms);
    if (input.inherits) {
        std::vector<std::string> parents;
        for (std::size_t i = 0; i < input.inherits->size(); ++i) {
            auto const& parent = (*input.inherits)[i];
            if (parent != role.name && !tx->roles().find(parent))
                return invalid_field("inherits[" + std::to_string(i) + "]",
                                     "unknown role " + parent);
            parents.push_back(parent);
        }
        std::sort(parents.begin(), parents.end());
        parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
        role.inherits = std::move(parents);
    }
    // Check the graph as it would be after this change.
    PermissionView view(*tx);
    // A role's holders (and the holders of every role inheriting it) gain what it grants, so
    // defining it is a grant; and a role that already carries more than the actor holds is
    // above them, even to reduce it.
    if (!creating) TRY_VOID(check_grantable(actor, view, {role.name}, "change a role"));
    view.put(role.name, role.permissions, role.inherits);
    auto const& edges = view.edges();
    if (auto const loop = core::find_role_cycle(edges, role.name); !loop.empty()) {
        return fail(ErrorCode::cycle, "role inheritance would form a cycle: " + core::format_cycle(loop),
                    "{\"field\":\"inherits\",\"path\":" + json_quote_list(loop) + "}");
    }
    TRY_VOID(check_grantable(actor, view, {role.name}, creating ? "create a role" : "give a role"));
    tx->roles().upsert(role);
    auto saved = *tx->roles().find(role.name);
    auto entry = domain_entry(ts, core::AuditCategory::admin, creating ? "role.create" : "role.update", "role", role.name);
    if (existing) entry.before = role_json(*existing);
    entry.after = role_json(saved);
    tx->audit().record(std::move(entry));
    tx->commit();
    return saved;
}

Result<void> Roles::remove(Actor const& actor, std::string const& name) {
    TRY_VOID(require(actor, core::perm::roles_manage));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    tx->serialize(Tx::Lock::roles);
    auto role = tx->roles().find(name);
    if (!role) return no_role(name);
    if (role->builtin) return fail(ErrorCode::conflict, "built-in role " + name + " cannot be deleted");
    PermissionView view(*tx);
    TRY_VOID(check_grantable(actor, view, {name}, "delete a role"));
    if (tx->users().count_with_role(name) > 0)
        return fail(ErrorCode::conflict, "role " + name + " is still held by users");
    for (auto const& [other, parents] : view.edges()) {
        if (std::find(parents.begin(), parents.end(), name) != parents.end())
            return fail(ErrorCode::conflict, "role " + name + " is inherited by " + other);
    }
    tx->roles().remove(name);
    auto entry = domain_entry(clock_.now(), core::AuditCategory::admin, "role.delete", "role", name);
    entry.before = role_json(*role);
    tx->audit().record(std::move(entry));
    tx->commit();
    return {};
}

}  // namespace hrms::app
