#include "hrms/core/audit.hpp"

#include <charconv>

#include "hrms/core/enum_text.hpp"

namespace hrms::core {

char const* to_string(AuditCategory c) {
    switch (c) {
        case AuditCategory::access: return "access";
        case AuditCategory::decision: return "decision";
        case AuditCategory::admin: return "admin";
        case AuditCategory::security: return "security";
        case AuditCategory::system: return "system";
        case AuditCategory::job: return "job";
    }
    return "access";
}

char const* to_string(AuditLevel l) {
    switch (l) {
        case AuditLevel::info: return "info";
        case AuditLevel::warning: return "warning";
        case AuditLevel::critical: return "critical";
    }
    return "info";
}

char const* to_string(AuditOutcome o) {
    switch (o) {
        case AuditOutcome::success: return "success";
        case AuditOutcome::failure: return "failure";
        case AuditOutcome::denied: return "denied";
        case AuditOutcome::error: return "error";
    }
    return "success";
}

std::optional<AuditCategory> parse_audit_category(std::string_view text) {
    return parse_enum(text, AuditCategory::job);
}
std::optional<AuditLevel> parse_audit_level(std::string_view text) { return parse_enum(text, AuditLevel::critical); }
std::optional<AuditOutcome> parse_audit_outcome(std::string_view text) {
    return parse_enum(text, AuditOutcome::error);
}

AuditOutcome outcome_for_status(int status) {
    if (status >= 500) return AuditOutcome::error;
    if (status == 401 || status == 403) return AuditOutcome::denied;
    if (status >= 400) return AuditOutcome::failure;
    return AuditOutcome::success;
}

namespace {
// Each field is its length, a colon and its text (an integer's in decimal), written without
// temporaries: the sealer forms every entry of a busy server.
void field(std::string& out, std::string_view v) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, v.size()).ptr);
    out += ':';
    out += v;
}
void field(std::string& out, std::int64_t v) {
    char digits[24];
    field(out, std::string_view(digits, std::to_chars(digits, digits + sizeof digits, v).ptr - digits));
}
}  // namespace

std::string canonical_form(AuditEntry const& e) {
    std::string out;
    canonical_form_into(out, e);
    return out;
}

void canonical_form_into(std::string& out, AuditEntry const& e) {
    out.reserve(out.size() + 256 + e.user_agent.size() + e.path.size() + e.before.size() + e.after.size() +
                e.details.size() + e.reason.size());
    out += "hrms-audit-v1|";
    field(out, e.seq);
    field(out, to_rfc3339(e.time));
    field(out, to_string(e.category));
    field(out, to_string(e.level));
    field(out, e.action);
    field(out, to_string(e.outcome));
    if (e.actor_id) field(out, *e.actor_id);
    else out += '-';
    field(out, e.session_id);
    field(out, e.request_id);
    field(out, e.ip);
    field(out, e.user_agent);
    field(out, e.method);
    field(out, e.route);
    field(out, e.path);
    field(out, e.status);
    field(out, e.latency_us);
    field(out, e.bytes_in);
    field(out, e.bytes_out);
    field(out, e.slow ? 1 : 0);
    field(out, e.target_type);
    field(out, e.target_id);
    field(out, e.reason);
    field(out, e.before);
    field(out, e.after);
    field(out, e.details);
}

}  // namespace hrms::core
