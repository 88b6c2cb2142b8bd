#include "hrms/app/grants.hpp"

#include "hrms/core/accounts.hpp"

namespace hrms::app {

PermissionView::PermissionView(Tx& tx) {
    for (auto& r : tx.list_roles()) {
        edges_[r.name] = r.inherits;
        perms_[r.name] = std::move(r.permissions);
    }
}

void PermissionView::put(std::string const& name, std::set<std::string> permissions,
                         std::vector<std::string> inherits) {
    edges_[name] = std::move(inherits);
    perms_[name] = std::move(permissions);
}

std::set<std::string> PermissionView::effective(std::vector<std::string> const& roles) const {
    return core::effective_permissions(roles, edges_, perms_);
}

namespace {
// The first permission in `perms` (other than self permissions) the actor lacks, or empty.
std::string first_missing(Actor const& actor, std::set<std::string> const& perms) {
    if (actor.can("*")) return {};
    for (auto const& p : perms) {
        if (core::is_self_permission(p)) continue;
        if (!actor.can(p)) return p;
    }
    return {};
}
}  // namespace

Result<void> check_grantable(Actor const& actor, std::set<std::string> const& granted, std::string const& what) {
    auto const missing = first_missing(actor, granted);
    if (missing.empty()) return {};
    return fail(ErrorCode::forbidden,
                "you cannot " + what + " carrying the permission " + missing + ", which you do not hold",
                "{\"permission\":" + json_quote(missing) + "}");
}

Result<void> check_outranks(Actor const& actor, std::set<std::string> const& target_permissions) {
    auto const missing = first_missing(actor, target_permissions);
    if (missing.empty()) return {};
    return fail(ErrorCode::forbidden,
                "this user holds the permission " + missing + ", which you do not: only someone who "
                "holds every permission of a user may change their roles, status or sessions",
                "{\"permission\":" + json_quote(missing) + "}");
}

Result<void> check_not_own(Actor const& actor, UserId owner, SelfReview policy) {
    if (owner != actor.id || policy == SelfReview::allowed) return {};
    return fail(ErrorCode::self_review, "nobody may review their own profile or documents");
}

}  // namespace hrms::app
