#pragma once
// Account rules: email shape, password policy, role names and the permission vocabulary.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/core/error.hpp"

namespace hrms::core {

inline constexpr std::size_t kMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 1024;
inline constexpr std::size_t kMaxEmailLength = 254;
inline constexpr std::size_t kMaxNameLength = 200;

// The lower-cased, trimmed email, or validation_failed naming `field`.
Result<std::string> normalize_email(std::string_view email, std::string const& field = "email");

// Ok when `password` is acceptable for the account `email`: at least 12 characters (code
// points), at most 1024 bytes, and not the email itself in any case.
Result<void> check_password_policy(std::string_view password, std::string_view email,
                                   std::string const& field = "password");

// Ok for a display name: 1..200 bytes after trimming, no control characters.
Result<std::string> normalize_name(std::string_view name, std::string const& field = "name");

// An account's status: invited (no password yet), active, or suspended (cannot sign in).
enum class UserStatus { active, invited, suspended };
char const* to_string(UserStatus s);
std::optional<UserStatus> parse_user_status(std::string_view text);

// The text the free-text searches match for an account: "name email" case-folded (fold_case).
// The store keeps it in users.search and profiles.search; a needle is folded the same way, so
// a search is a caseless substring match whatever the script.
std::string search_text(std::string_view name, std::string_view email);

// Role names: 2..64 of [a-z0-9_], starting with a letter.
Result<void> check_role_name(std::string_view name, std::string const& field = "name");

// The built-in roles, which cannot be changed or deleted.
inline constexpr std::string_view kBuiltinRoles[] = {"employee", "reviewer", "admin"};
bool is_builtin_role(std::string_view name);

// The permission vocabulary, named once: code says perm::users_write, never the string.
namespace perm {
inline constexpr char const profile_self[] = "profile.self";
inline constexpr char const users_read[] = "users.read";
inline constexpr char const users_write[] = "users.write";
inline constexpr char const roles_manage[] = "roles.manage";
inline constexpr char const profiles_read[] = "profiles.read";
inline constexpr char const profiles_review[] = "profiles.review";
inline constexpr char const profiles_assign[] = "profiles.assign";
inline constexpr char const profiles_status[] = "profiles.status";
inline constexpr char const documents_review[] = "documents.review";
inline constexpr char const bulk_run[] = "bulk.run";
inline constexpr char const reports_read[] = "reports.read";
inline constexpr char const reports_manage[] = "reports.manage";  // schedules: who gets mail
inline constexpr char const audit_read[] = "audit.read";
inline constexpr char const email_manage[] = "email.manage";
inline constexpr char const metrics_read[] = "metrics.read";
inline constexpr char const ws_admin[] = "ws.admin";
inline constexpr char const jobs_manage[] = "jobs.manage";
inline constexpr char const all[] = "*";
}  // namespace perm

// Every permission the server knows. `*` grants all of them.
std::set<std::string> const& known_permissions();

// The permissions a built-in role grants.
std::set<std::string> builtin_permissions(std::string_view role);

// True for permissions that only concern the holder's own records (profile.self): granting
// them to someone else hands out no power.
bool is_self_permission(std::string_view permission);

// True when `granted` includes `permission` (directly or through `*`).
bool has_permission(std::set<std::string> const& granted, std::string_view permission);

}  // namespace hrms::core
