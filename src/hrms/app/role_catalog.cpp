#include "hrms/app/role_catalog.hpp"

#include "hrms/core/accounts.hpp"

namespace hrms::app {

void RoleCatalog::reload_locked(std::int64_t version, Tx& tx) {
    edges_.clear();
    permissions_.clear();
    memo_.clear();
    for (auto& role : tx.roles().list()) {
        edges_[role.name] = role.inherits;
        permissions_[role.name] = std::move(role.permissions);
    }
    version_ = version;
}

std::set<std::string> RoleCatalog::permissions_for(std::vector<std::string> const& roles,
                                                   std::int64_t version, Tx& tx) {
    std::lock_guard lock(mutex_);
    if (version != version_) reload_locked(version, tx);
    // Most users share a handful of role sets: memoise the closure per set.
    auto const it = memo_.find(roles);
    if (it != memo_.end()) return it->second;
    auto perms = core::effective_permissions(roles, edges_, permissions_);
    memo_.emplace(roles, perms);
    return perms;
}

std::set<std::string> RoleCatalog::roles_granting(std::string const& permission,
                                                  std::int64_t version, Tx& tx) {
    std::lock_guard lock(mutex_);
    if (version != version_) reload_locked(version, tx);
    std::set<std::string> out;
    for (auto const& [name, _] : edges_) {
        if (core::has_permission(core::effective_permissions({name}, edges_, permissions_),
                                 permission))
            out.insert(name);
    }
    return out;
}

}  // namespace hrms::app
