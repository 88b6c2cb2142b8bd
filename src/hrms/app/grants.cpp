#include "hrms/app/grants.hpp"

#include "hrms/core/accounts.hpp"

namespace hrms::app {

void PermissionView::load() const {
    if (loaded_) return;
    for (auto& r : tx_.roles().list()) {
        edges_[r.name] = r.inherits;
        perms_[r.name] = std::move(r.permissions);
    }
    loaded_ = true;
}

void PermissionView::put(std::string const& name, std::set<std::string> permissions,
                         std::vector<std::string> inherits) {
    load();
    edges_[name] = std::move(inherits);
    perms_[name] = std::move(permissions);
}

std::set<std::string> PermissionView::effective(std::vector<std::string> const& roles) const {
    load();
    return core::effective_permissions(roles, edges_, perms_);
}

core::RoleEdges const& PermissionView::edges() const {
    load();
    return edges_;
}

namespace {
// The first permission `roles` grant (other than self permissions) that the actor lacks, or
// empty. An actor holding "*" lacks nothing, and the roles are not even read.
std::string first_missing(Actor const& actor, PermissionView const& view, std::vector<std::string> const& roles) {
    if (actor.can("*")) return {};
    for (auto const& p : view.effective(roles)) {
        if (core::is_self_permission(p)) continue;
        if (!actor.can(p)) return p;
    }
    return {};
}
}  // namespace

Result<void> check_grantable(Actor const& actor, PermissionView const& view, std::vector<std::string> const& roles,
                             std::string const& what) {
    auto const missing = first_missing(actor, view, roles);
    if (missing.empty()) return {};
    return fail(ErrorCode::forbidden,
                "you cannot " + what + " carrying the permission " + missing + ", which you do not hold",
                "{\"permission\":" + json_quote(missing) + "}");
}

Result<void> check_outranks(Actor const& actor, PermissionView const& view,
                            std::vector<std::string> const& target_roles) {
    auto const missing = first_missing(actor, view, target_roles);
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
