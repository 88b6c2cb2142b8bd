#pragma once
// Who is acting: the authenticated user with their effective permissions.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/core/accounts.hpp"

namespace hrms::app {

struct Actor {
    UserId id = 0;
    std::string email;
    std::string name;
    std::vector<std::string> roles;
    std::set<std::string> permissions;
    std::string token_hash;  // the session this request came with
    std::string csrf;        // that session's CSRF token
    std::string request_id;  // of the HTTP request acting (empty outside one)

    // True when the actor's roles grant `permission`.
    bool can(std::string_view permission) const { return core::has_permission(permissions, permission); }
};

// What a write transaction acting for `actor` carries in every event row it writes.
inline TxContext context_of(Actor const& actor) { return TxContext{actor.id, actor.request_id, 0, actor.name}; }

// forbidden unless the actor holds `permission`.
inline Result<void> require(Actor const& actor, std::string_view permission) {
    if (actor.can(permission)) return {};
    return fail(ErrorCode::forbidden, "this needs the permission " + std::string(permission));
}

}  // namespace hrms::app
