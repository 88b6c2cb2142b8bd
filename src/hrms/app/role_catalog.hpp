#pragma once
// The role graph, cached per process and reloaded when the database's roles version moves.
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hrms/app/ports.hpp"

namespace hrms::app {

class RoleCatalog {
public:
    // Effective permissions of `roles`; reloads from `tx` when `version` differs from the cache.
    std::set<std::string> permissions_for(std::vector<std::string> const& roles,
                                          std::int64_t version, Tx& tx);
    // Roles (and those they inherit) that grant `permission`.
    std::set<std::string> roles_granting(std::string const& permission, std::int64_t version, Tx& tx);

private:
    void reload_locked(std::int64_t version, Tx& tx);

    std::mutex mutex_;
    std::int64_t version_ = -1;
    core::RoleEdges edges_;
    std::map<std::string, std::set<std::string>> permissions_;
    std::map<std::vector<std::string>, std::set<std::string>> memo_;
};

}  // namespace hrms::app
