// app::RoleRepo: the role catalog and its version.
#include "hrms/store/soci_repos.hpp"

#include <algorithm>

namespace hrms::store {

using soci::into;
using soci::use;

std::vector<app::RoleRecord> SociRoles::list() {
    return guard([&] {
        std::vector<app::RoleRecord> roles;
        {
            std::string name, description;
            Instant created, updated;
            int builtin = 0;
            soci::statement st =
                (sql_->prepare << "SELECT name, description, builtin, created_at, updated_at "
                                  "FROM roles ORDER BY name",
                 into(name), into(description), into(builtin), into(created), into(updated));
            st.execute();
            while (st.fetch()) {
                app::RoleRecord r;
                r.name = name;
                r.description = description;
                r.builtin = builtin != 0;
                r.created_at = created;
                r.updated_at = updated;
                roles.push_back(std::move(r));
            }
        }
        auto find = [&](std::string const& name) -> app::RoleRecord* {
            auto it = std::lower_bound(roles.begin(), roles.end(), name,
                                       [](auto const& r, auto const& n) { return r.name < n; });
            return it != roles.end() && it->name == name ? &*it : nullptr;
        };
        std::string role, value;
        {
            soci::statement st = (sql_->prepare << "SELECT role, permission FROM role_permissions",
                                  into(role), into(value));
            st.execute();
            while (st.fetch()) {
                if (auto* r = find(role)) r->permissions.insert(value);
            }
        }
        {
            soci::statement st = (sql_->prepare << "SELECT role, parent FROM role_inherits "
                                                   "ORDER BY role, parent",
                                  into(role), into(value));
            st.execute();
            while (st.fetch()) {
                if (auto* r = find(role)) r->inherits.push_back(value);
            }
        }
        return roles;
    });
}

std::optional<app::RoleRecord> SociRoles::find(std::string const& name) {
    // Role tables are small; one code path for one role and all of them.
    for (auto& r : list()) {
        if (r.name == name) return std::move(r);
    }
    return std::nullopt;
}

void SociRoles::upsert(app::RoleRecord const& r) {
    guard([&] {
        int builtin = r.builtin ? 1 : 0;
        *sql_ << "INSERT INTO roles (name, description, builtin, created_at, updated_at) "
                 "VALUES (:n, :d, :b, :c, :u) ON CONFLICT (name) DO UPDATE SET "
                 "description = excluded.description, updated_at = excluded.updated_at",
            use(r.name), use(r.description), use(builtin), use(r.created_at), use(r.updated_at);
        *sql_ << "DELETE FROM role_permissions WHERE role = :n", use(r.name);
        for (auto const& p : r.permissions) {
            *sql_ << "INSERT INTO role_permissions (role, permission) VALUES (:n, :p)",
                use(r.name), use(p);
        }
        *sql_ << "DELETE FROM role_inherits WHERE role = :n", use(r.name);
        for (auto const& parent : r.inherits) {
            *sql_ << "INSERT INTO role_inherits (role, parent) VALUES (:n, :p)", use(r.name),
                use(parent);
        }
        bump_roles_version();
        live_.changed_roles.push_back(r.name);
    });
}

void SociRoles::remove(std::string const& name) {
    guard([&] {
        *sql_ << "DELETE FROM roles WHERE name = :n", use(name);
        bump_roles_version();
        live_.changed_roles.push_back(name);
    });
}

std::int64_t SociRoles::version() {
    return guard([&] {
        long long v = 0;
        *sql_ << "SELECT value FROM meta WHERE key = 'roles_version'", into(v);
        return static_cast<std::int64_t>(v);
    });
}

void SociRoles::bump_roles_version() {
    *sql_ << "UPDATE meta SET value = value + 1 WHERE key = 'roles_version'";
}

}  // namespace hrms::store
