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
#include "hrms/app/config.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/role_graph.hpp"

namespace hrms::app {

// The role graph as a write transaction sees it, with edits applied before they are saved.
class PermissionView {
public:
    explicit PermissionView(Tx& tx);

    // Makes the view show `role` with these permissions and parents (as it would be saved).
    void put(std::string const& name, std::set<std::string> permissions, std::vector<std::string> inherits);
    // Every permission `roles` grant, through inheritance.
    std::set<std::string> effective(std::vector<std::string> const& roles) const;
    core::RoleEdges const& edges() const { return edges_; }

private:
    core::RoleEdges edges_;
    std::map<std::string, std::set<std::string>> perms_;
};

// forbidden unless the actor holds every permission in `granted`; `what` names the path in
// the message ("grant roles", "give a role").
Result<void> check_grantable(Actor const& actor, std::set<std::string> const& granted, std::string const& what);

// forbidden unless every permission of the target (`target_permissions`) is held by the actor:
// one may only act on users at or below oneself.
Result<void> check_outranks(Actor const& actor, std::set<std::string> const& target_permissions);

enum class SelfReview { refused, allowed };

// Separation of duties: self_review when the actor would decide their own profile or documents
// (owned by `owner`), unless HRMS_ALLOW_SELF_REVIEW allows it.
Result<void> check_not_own(Actor const& actor, UserId owner, SelfReview policy);

// The policy HRMS_ALLOW_SELF_REVIEW sets.
inline SelfReview self_review_policy(Config const& c) {
    return c.allow_self_review ? SelfReview::allowed : SelfReview::refused;
}

}  // namespace hrms::app
