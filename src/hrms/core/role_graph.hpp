#pragma once
// Role inheritance and manager links: cycle detection and permission closure, as pure functions.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hrms::core {

// role name -> the roles it inherits from.
using RoleEdges = std::map<std::string, std::vector<std::string>>;

// The first cycle reachable from `start`, as a path whose first and last names are equal
// ("team_lead", "dept_head", "team_lead"); empty when there is none.
std::vector<std::string> find_role_cycle(RoleEdges const& edges, std::string const& start);

// "a -> b -> a": the human-readable form of a cycle path.
std::string format_cycle(std::vector<std::string> const& path);

// Every permission granted by `roles`, directly or through inheritance. Unknown roles grant
// nothing; cycles (refused on write, but tolerated here) do not loop.
std::set<std::string> effective_permissions(
    std::vector<std::string> const& roles, RoleEdges const& edges,
    std::map<std::string, std::set<std::string>> const& permissions);

// Every role reached from `roles` through inheritance, the roles themselves included.
std::set<std::string> role_closure(std::vector<std::string> const& roles, RoleEdges const& edges);

// user id -> manager id.
using ManagerLinks = std::map<std::int64_t, std::int64_t>;

// The loop that making `manager` the manager of `user` would close, given the current links:
// (user, manager, ..., user); empty when the link is safe. A self-link is the loop (u, u).
std::vector<std::int64_t> manager_cycle(ManagerLinks const& links, std::int64_t user,
                                        std::int64_t manager);

}  // namespace hrms::core
