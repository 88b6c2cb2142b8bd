#include "hrms/core/accounts.hpp"

#include <algorithm>
#include <cctype>

#include "hrms/core/enum_text.hpp"
#include "hrms/core/text.hpp"

namespace hrms::core {

namespace {
}  // namespace

Result<std::string> normalize_email(std::string_view email, std::string const& field) {
    auto const e = trim(email);
    if (e.empty()) return invalid_field(field, "email is required");
    if (e.size() > kMaxEmailLength) return invalid_field(field, "email is too long");
    auto const at = e.find('@');
    if (at == std::string_view::npos || at == 0 || at != e.rfind('@') || at + 1 >= e.size())
        return invalid_field(field, "email must look like name@domain");
    auto const domain = e.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos)
        return invalid_field(field, "email domain is not valid");
    for (unsigned char c : e) {
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
            return invalid_field(field, "email contains a character that is not allowed");
    }
    return ascii_lower(e);
}

Result<void> check_password_policy(std::string_view password, std::string_view email,
                                   std::string const& field) {
    if (password.size() > kMaxPasswordLength) return invalid_field(field, "password is too long");
    if (utf8_length(password) < kMinPasswordLength)
        return invalid_field(field, "password must be at least 12 characters");
    if (!email.empty() && ascii_lower(trim(password)) == ascii_lower(trim(email)))
        return invalid_field(field, "password must not be the email address");
    return {};
}

Result<std::string> normalize_name(std::string_view name, std::string const& field) {
    auto const n = trim(name);
    if (n.empty()) return invalid_field(field, "name is required");
    if (n.size() > kMaxNameLength) return invalid_field(field, "name is too long");
    for (unsigned char c : n) {
        if (c < 0x20 || c == 0x7f) return invalid_field(field, "name contains control characters");
    }
    return std::string(n);
}

std::string search_text(std::string_view name, std::string_view email) {
    std::string text(name);
    text += ' ';
    text += email;
    return fold_case(text);
}

Result<void> check_role_name(std::string_view name, std::string const& field) {
    if (name.size() < 2 || name.size() > 64 || !std::islower(static_cast<unsigned char>(name[0])))
        return invalid_field(field, "role name must be 2-64 characters, starting with a letter");
    for (unsigned char c : name) {
        if (!(std::islower(c) || std::isdigit(c) || c == '_'))
            return invalid_field(field, "role name may contain only a-z, 0-9 and _");
    }
    return {};
}

bool is_builtin_role(std::string_view name) {
    return std::find(std::begin(kBuiltinRoles), std::end(kBuiltinRoles), name) !=
           std::end(kBuiltinRoles);
}

std::set<std::string> const& known_permissions() {
    using namespace perm;
    static std::set<std::string> const kAll{
        profile_self,  users_read,   users_write,  roles_manage,     profiles_read,   profiles_review,
        profiles_assign, profiles_status, documents_review, bulk_run, reports_read, reports_manage, audit_read,
        email_manage,  metrics_read, ws_admin,     jobs_manage,      all};
    return kAll;
}

std::set<std::string> builtin_permissions(std::string_view role) {
    using namespace perm;
    if (role == "employee") return {profile_self};
    if (role == "reviewer") return {users_read, profiles_read, profiles_review, documents_review};
    if (role == "admin") return {all};
    return {};
}

bool is_self_permission(std::string_view permission) { return permission == perm::profile_self; }

bool has_permission(std::set<std::string> const& granted, std::string_view permission) {
    return granted.contains(perm::all) || granted.contains(std::string(permission));
}

char const* to_string(UserStatus s) {
    switch (s) {
        case UserStatus::active:
            return "active";
        case UserStatus::invited:
            return "invited";
        case UserStatus::suspended:
            return "suspended";
    }
    return "active";
}

std::optional<UserStatus> parse_user_status(std::string_view text) {
    return parse_enum(text, UserStatus::suspended);
}

}  // namespace hrms::core
