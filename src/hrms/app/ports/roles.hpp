#pragma once
// The roles port: the role catalog and its version.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hrms/core/time.hpp"

namespace hrms::app {

struct RoleRecord {
    std::string name;
    std::string description;
    bool builtin = false;
    std::set<std::string> permissions;
    std::vector<std::string> inherits;  // sorted
    Instant created_at;
    Instant updated_at;
};

// Roles on one transaction. Changing any role bumps the roles version that SessionView carries.
class RoleRepo {
public:
    virtual ~RoleRepo() = default;
    virtual std::vector<RoleRecord> list() = 0;
    virtual std::optional<RoleRecord> find(std::string const& name) = 0;
    virtual void upsert(RoleRecord const& role) = 0;
    virtual void remove(std::string const& name) = 0;
    virtual std::int64_t version() = 0;
};

}  // namespace hrms::app
