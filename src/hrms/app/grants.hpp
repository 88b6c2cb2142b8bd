#pragma once
// The grant rules, applied on every path that changes anyone's effective permissions:
// nobody grants a permission they do not hold, and nobody acts on a user who holds more than
// they do. Permissions over one's own records (profile.self) give no power over anyone else
// and are left out of both comparisons.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/role_graph.hpp"

namespace hrms::app {

// The role graph as a write transaction sees it, with edits applied before they are saved.
// The roles are read on first use, once: one view serves every check of a use case, and checks
// by an actor holding "*" never read them.
class PermissionView {
public:
    explicit PermissionView(Tx& tx) : tx_(tx) {}

    // Makes the view show `role` with these permissions and parents (as it would be saved).
    void put(std::string const& name, std::set<std::string> permissions, std::vector<std::string> inherits);
    // Every permission `roles` grant, through inheritance.
    std::set<std::string> effective(std::vector<std::string> const& roles) const;
    // role name -> the roles it inherits from.
    core::RoleEdges const& edges() const;

private:
    void load() const;

    Tx& tx_;
    mutable bool loaded_ = false;
    mutable core::RoleEdges edges_;
    mutable std::map<std::string, std::set<std::string>> perms_;
};

// forbidden unless the actor holds every permission `roles` grant (through `view`); `what`
// names the path in the message ("grant roles", "give a role").
Result<void> check_grantable(Actor const& actor, PermissionView const& view, std::vector<std::string> const& roles,
                             std::string const& what);

// forbidden unless the actor holds every permission of a user holding `target_roles`: one may
// only act on users at or below oneself.
Result<void> check_outranks(Actor const& actor, PermissionView const& view,
                            std::vector<std::string> const& target_roles);

enum class SelfReview { refused, allowed };

// Separation of duties: self_review when the actor would decide their own profile or documents
// (owned by `owner`), unless HRMS_ALLOW_SELF_REVIEW allows it.
Result<void> check_not_own(Actor const& actor, UserId owner, SelfReview policy);

}  // namespace hrms::app
