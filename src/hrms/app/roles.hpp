#pragma once
// Custom roles: permissions plus inheritance, never forming a cycle.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"

namespace hrms::app {

struct RoleInput {
    std::string name;
    std::optional<std::string> description;
    std::optional<std::vector<std::string>> permissions;
    std::optional<std::vector<std::string>> inherits;
};

class Roles {
public:
    Roles(Store& store, Clock const& clock);

    Result<std::vector<RoleRecord>> list(Actor const& actor);
    Result<RoleRecord> get(Actor const& actor, std::string const& name);
    // conflict if the name exists; validation_failed for unknown permissions or parents;
    // cycle (422) naming the loop, e.g. "team_lead -> dept_head -> team_lead".
    Result<RoleRecord> create(Actor const& actor, RoleInput const& input);
    // Replaces the given fields of a custom role; built-in roles are conflict.
    Result<RoleRecord> update(Actor const& actor, RoleInput const& input);
    // Deletes a custom role nobody holds and no role inherits; conflict otherwise.
    Result<void> remove(Actor const& actor, std::string const& name);

private:
    Result<RoleRecord> save(Actor const& actor, RoleInput const& input, bool creating);

    Store& store_;
    Clock const& clock_;
};

}  // namespace hrms::app
